package invoice_test

import (
	"encoding/csv"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moov-io/iso20022/pkg/pain_v10"

	"partnerportal/app/invoice"
)

func transfers() []invoice.Transfer {
	return []invoice.Transfer{
		{InvoiceNumber: "ACME-2026-0001", Partner: "Initrode Resellers", Method: invoice.MethodBank, Currency: "EUR", AmountMinor: 262_500,
			Details: invoice.Details{Holder: "Zoë Müller-Łukasiewicz", IBAN: "DE89370400440532013000", BIC: "COBADEFFXXX"}},
		{InvoiceNumber: "ACME-2026-0002", Partner: "Café Crème", Method: invoice.MethodBank, Currency: "EUR", AmountMinor: 10_001,
			Details: invoice.Details{Holder: "Café Crème SARL", IBAN: "FR1420041010050500013M02606"}},
		{InvoiceNumber: "ACME-2026-0003", Partner: "Northwind", Method: invoice.MethodPayPal, Currency: "EUR", AmountMinor: 5_000,
			Details: invoice.Details{PayPal: "pay@northwind.test"}},
		{InvoiceNumber: "ACME-2026-0004", Partner: "=HYPERLINK()", Method: invoice.MethodBank, Currency: "USD", AmountMinor: 7_000,
			Details: invoice.Details{Holder: "Globex", IBAN: "GB29NWBK60161331926819"}},
		{InvoiceNumber: "ACME-2026-0005", Partner: "No Details Ltd", Currency: "EUR", AmountMinor: 9_000, Missing: true},
	}
}

func TestPayoutCSV(t *testing.T) {
	b, err := invoice.WriteCSV(transfers())
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 6 || rows[0][0] != "invoice" {
		t.Fatalf("%d rows: %v", len(rows), rows)
	}
	if got := strings.Join(rows[1], "|"); got != "ACME-2026-0001|Initrode Resellers|bank_transfer|EUR|2625.00|Zoë Müller-Łukasiewicz|DE89370400440532013000|COBADEFFXXX||ready" {
		t.Errorf("row 1: %s", got)
	}
	if rows[4][1] != "'=HYPERLINK()" {
		t.Errorf("formula not neutralised: %q", rows[4][1])
	}
	if rows[5][9] != "payout details missing" {
		t.Errorf("row 5 status %q", rows[5][9])
	}
}

// TestSEPAFile checks the pain.001.001.10 file three ways: against the
// published ISO 20022 schema (xmllint), read back with moov-io/iso20022's
// types and their Validate, and element by element for what a bank needs
// (its Validate does not check that required elements are present).
func TestSEPAFile(t *testing.T) {
	created := time.Date(2026, 12, 2, 9, 30, 0, 0, time.UTC)
	b, err := invoice.WriteSEPA("PAYOUT-12", invoice.Debtor{Name: "Acme Cloud GmbH", IBAN: "DE75512108001245126199", BIC: "SOGEDEFFXXX"},
		created, created.AddDate(0, 0, 1), transfers())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "pain.xml")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Fatal("xmllint (libxml2-utils) is needed: .ci/services installs it")
	}
	if out, err := exec.Command("xmllint", "--noout", "--schema", "testdata/pain.001.001.10.xsd", path).CombinedOutput(); err != nil {
		t.Fatalf("not valid against pain.001.001.10.xsd: %v\n%s\n%s", err, out, b)
	}

	var doc struct {
		XMLName xml.Name
		Init    pain_v10.CustomerCreditTransferInitiationV10 `xml:"CstmrCdtTrfInitn"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.XMLName.Space != "urn:iso:std:iso:20022:tech:xsd:pain.001.001.10" || doc.XMLName.Local != "Document" {
		t.Fatalf("root %v", doc.XMLName)
	}
	in := doc.Init
	if err := in.GrpHdr.Validate(); err != nil {
		t.Errorf("GrpHdr: %v", err)
	}
	if in.GrpHdr.MsgId != "PAYOUT-12" || in.GrpHdr.NbOfTxs != "2" || in.GrpHdr.CtrlSum != 2725.01 || in.GrpHdr.InitgPty.Nm == nil {
		t.Errorf("group header %+v", in.GrpHdr)
	}
	if len(in.PmtInf) != 1 {
		t.Fatalf("%d PmtInf", len(in.PmtInf))
	}
	pi := in.PmtInf[0]
	if pi.PmtMtd != "TRF" || pi.NbOfTxs == nil || *pi.NbOfTxs != "2" || pi.CtrlSum != 2725.01 || pi.Dbtr.Nm == nil ||
		string(*pi.Dbtr.Nm) != "Acme Cloud GmbH" || pi.DbtrAcct.Id.IBAN != "DE75512108001245126199" ||
		pi.DbtrAgt.FinInstnId.BICFI == nil || *pi.DbtrAgt.FinInstnId.BICFI != "SOGEDEFFXXX" {
		t.Errorf("payment information %+v", pi)
	}
	if err := pi.DbtrAcct.Id.IBAN.Validate(); err != nil {
		t.Errorf("debtor IBAN: %v", err)
	}
	if len(pi.CdtTrfTxInf) != 2 {
		t.Fatalf("%d transfers, want the two EUR bank transfers", len(pi.CdtTrfTxInf))
	}
	tx := pi.CdtTrfTxInf[0]
	if tx.PmtId.EndToEndId != "ACME-2026-0001" || tx.Amt.InstdAmt.Ccy != "EUR" || tx.Amt.InstdAmt.Value != 2625.00 ||
		tx.Cdtr == nil || tx.Cdtr.Nm == nil || string(*tx.Cdtr.Nm) != "Zoe Muller-Lukasiewicz" || tx.CdtrAcct == nil ||
		tx.CdtrAcct.Id.IBAN != "DE89370400440532013000" || tx.CdtrAgt == nil || *tx.CdtrAgt.FinInstnId.BICFI != "COBADEFFXXX" {
		t.Errorf("transfer 1 %+v", tx)
	}
	for i, tx := range pi.CdtTrfTxInf {
		if err := tx.PmtId.Validate(); err != nil {
			t.Errorf("transfer %d id: %v", i, err)
		}
		if err := tx.CdtrAcct.Id.IBAN.Validate(); err != nil {
			t.Errorf("transfer %d IBAN: %v", i, err)
		}
		if err := tx.Amt.InstdAmt.Ccy.Validate(); err != nil {
			t.Errorf("transfer %d currency: %v", i, err)
		}
	}
	if pi.CdtTrfTxInf[1].CdtrAgt != nil {
		t.Error("a creditor agent without a BIC")
	}
	// No eligible transfer, or no debtor account: an error, not an empty file.
	if _, err := invoice.WriteSEPA("X", invoice.Debtor{Name: "A", IBAN: "DE75512108001245126199"}, created, created, transfers()[2:4]); err == nil {
		t.Error("a SEPA file without transfers")
	}
	if _, err := invoice.WriteSEPA("X", invoice.Debtor{Name: "A"}, created, created, transfers()); err == nil {
		t.Error("a SEPA file without the debtor's IBAN")
	}
}
