package invoice

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"partnerportal/app/iban"
	"partnerportal/app/vault"
	"partnerportal/queries"
)

// Details are a partner's payout details, kept sealed at rest (app/vault).
type Details struct {
	Holder string `json:"h,omitempty"`
	IBAN   string `json:"i,omitempty"`
	BIC    string `json:"b,omitempty"`
	PayPal string `json:"p,omitempty"`
}

// Payout methods.
const (
	MethodBank   = "bank_transfer"
	MethodPayPal = "paypal"
)

// ErrNoKeys is returned when payout details must be sealed or opened and no
// key is configured.
var ErrNoKeys = errors.New("invoice: PAYOUT_KEYS is not configured")

// SealDetails seals d for one partner of one organization.
func SealDetails(keys *vault.Keyring, org, partner int64, d Details) (string, []byte, error) {
	if keys == nil {
		return "", nil, ErrNoKeys
	}
	b, err := json.Marshal(d)
	if err != nil {
		return "", nil, err
	}
	id, sealed := keys.Seal(b, vault.OwnerAD(org, partner))
	return id, sealed, nil
}

// OpenDetails opens what SealDetails sealed for the same partner.
func OpenDetails(keys *vault.Keyring, org, partner int64, keyID string, sealed []byte) (Details, error) {
	var d Details
	if keys == nil {
		return d, ErrNoKeys
	}
	b, err := keys.Open(keyID, sealed, vault.OwnerAD(org, partner))
	if err != nil {
		return d, err
	}
	err = json.Unmarshal(b, &d)
	return d, err
}

// Complete reports whether the details are enough to pay by method.
func (d Details) Complete(method string) bool {
	switch method {
	case MethodBank:
		return d.IBAN != "" && d.Holder != ""
	case MethodPayPal:
		return d.PayPal != ""
	}
	return false
}

// Masked is how an invoice shows the payout method.
func (d Details) Masked(method string) string {
	switch method {
	case MethodBank:
		s := "Bank transfer to " + iban.Mask(d.IBAN)
		if d.Holder != "" {
			s += " (" + d.Holder + ")"
		}
		return s
	case MethodPayPal:
		return "PayPal to " + maskEmail(d.PayPal)
	}
	return ""
}

func maskEmail(s string) string {
	at := -1
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '@' {
			at = i
			break
		}
	}
	if at <= 0 {
		return "•••"
	}
	return s[:1] + "•••" + s[at:]
}

// Reseal seals every payout row that is still plaintext (written before
// sealing) or sealed under another key than the current one, under the
// current key, emptying the plaintext columns: `portal keys rotate`. A row
// whose key is no longer configured stops it with an error naming the row.
func Reseal(ctx context.Context, store *queries.Store, keys *vault.Keyring) (int, error) {
	if keys == nil {
		return 0, ErrNoKeys
	}
	done := 0
	var unreadable UnreadableRows
	var afterOrg, afterPartner int64
	for {
		rows, err := store.ListPayoutSettingsToSeal(ctx, queries.ListPayoutSettingsToSealParams{CurrentKeyID: keys.Current(),
			AfterOrganizationID: afterOrg, AfterPartnerID: afterPartner})
		if err != nil {
			return done, err
		}
		if len(rows) == 0 {
			break
		}
		for _, r := range rows {
			afterOrg, afterPartner = r.OrganizationID, r.PartnerID
			d := Details{Holder: r.AccountHolder, IBAN: r.Iban, BIC: r.Bic, PayPal: r.PaypalEmail}
			if r.Sealed != nil {
				if d, err = OpenDetails(keys, r.OrganizationID, r.PartnerID, r.SealedKeyID, r.Sealed); err != nil {
					// Passed over (and named, without any secret): one bad
					// row must not stop the others from being rotated.
					unreadable = append(unreadable, fmt.Sprintf("organization %d partner %d (key %q): %v",
						r.OrganizationID, r.PartnerID, r.SealedKeyID, err))
					continue
				}
			}
			id, sealed, err := SealDetails(keys, r.OrganizationID, r.PartnerID, d)
			if err != nil {
				return done, err
			}
			if err := store.ResealPayoutSettings(ctx, queries.ResealPayoutSettingsParams{OrganizationID: r.OrganizationID,
				PartnerID: r.PartnerID, SealedKeyID: id, Sealed: sealed}); err != nil {
				return done, err
			}
			done++
		}
	}
	if len(unreadable) > 0 {
		return done, unreadable
	}
	return done, nil
}

// UnreadableRows is Reseal's error when some rows could not be opened with
// any key of PAYOUT_KEYS (tampered, or sealed under a key no longer listed):
// every other row was resealed; these stay as they are until their partner
// enters the details again (the payout page asks them to).
type UnreadableRows []string

func (u UnreadableRows) Error() string {
	return fmt.Sprintf("%d payout detail rows could not be opened and were left as they are: %s",
		len(u), strings.Join(u, "; "))
}
