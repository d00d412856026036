package training

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"partnerportal/app/config"

	"partnerportal/queries"
)

// DevKey reads the development signing key kept at path, creating it (mode
// 0600) on first use, so certificates stay verifiable across `dev` runs.
func DevKey(path string) (ed25519.PrivateKey, error) {
	if b, err := os.ReadFile(path); err == nil {
		return config.ParseEd25519Seed(string(b))
	}
	seed := make([]byte, ed25519.SeedSize)
	if _, err := rand.Read(seed); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, []byte(base64.StdEncoding.EncodeToString(seed)+"\n"), 0o600); err != nil {
		return nil, err
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// Issuer signs Open Badges 3.0 credentials as VC-JWT (EdDSA). Its identity
// is did:web of the portal's host; the DID document and a JWKS with the
// public key are published under /.well-known/.
type Issuer struct {
	Key  ed25519.PrivateKey
	Base *url.URL // BASE_URL
}

// DID is did:web of the base URL (a port's colon percent-encoded, a path's
// slashes as colons).
func (i *Issuer) DID() string {
	d := "did:web:" + strings.ReplaceAll(i.Base.Host, ":", "%3A")
	if p := strings.Trim(i.Base.Path, "/"); p != "" {
		d += ":" + strings.ReplaceAll(p, "/", ":")
	}
	return d
}

// KeyID names the signing key in the JWS header and the DID document.
func (i *Issuer) KeyID() string { return i.DID() + "#key-1" }

// PublicJWK is the public key as a JWK.
func (i *Issuer) PublicJWK() jose.JSONWebKey {
	return jose.JSONWebKey{Key: i.Key.Public(), KeyID: i.KeyID(), Algorithm: string(jose.EdDSA), Use: "sig"}
}

// JWKS is the key set at /.well-known/jwks.json.
func (i *Issuer) JWKS() jose.JSONWebKeySet {
	return jose.JSONWebKeySet{Keys: []jose.JSONWebKey{i.PublicJWK()}}
}

// DIDDocument is /.well-known/did.json.
func (i *Issuer) DIDDocument() map[string]any {
	return map[string]any{
		"@context": []string{"https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/jws-2020/v1"},
		"id":       i.DID(),
		"verificationMethod": []any{map[string]any{
			"id": i.KeyID(), "type": "JsonWebKey2020", "controller": i.DID(), "publicKeyJwk": i.PublicJWK(),
		}},
		"assertionMethod": []string{i.KeyID()},
	}
}

// Credential is the certificate as an Open Badges 3.0 OpenBadgeCredential.
func (i *Issuer) Credential(c queries.Certificate) map[string]any {
	base := strings.TrimSuffix(i.Base.String(), "/")
	verify := VerifyURL(base, c.PublicID)
	subject := map[string]any{
		"type": []string{"AchievementSubject"},
		"name": c.PersonName,
		"achievement": map[string]any{
			"id":          fmt.Sprintf("%s/training/achievements/%d", base, c.CourseID),
			"type":        []string{"Achievement"},
			"name":        c.CourseTitle,
			"description": "Completion of the course " + c.CourseTitle + " from " + c.OrgName + ".",
			"criteria":    map[string]any{"narrative": "Completed every lesson and passed the final quiz, if any."},
		},
	}
	cred := map[string]any{
		"@context": []string{"https://www.w3.org/ns/credentials/v2",
			"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
		"id":                verify,
		"type":              []string{"VerifiableCredential", "OpenBadgeCredential"},
		"name":              c.CourseTitle,
		"issuer":            map[string]any{"id": i.DID(), "type": []string{"Profile"}, "name": c.OrgName, "url": base},
		"validFrom":         c.IssuedAt.UTC().Format(time.RFC3339),
		"credentialSubject": subject,
	}
	if c.ExpiresAt != nil {
		cred["validUntil"] = c.ExpiresAt.UTC().Format(time.RFC3339)
	}
	if c.RevokedAt != nil {
		cred["credentialStatus"] = map[string]any{"id": verify + ".json", "type": "1EdTechRevocationList",
			"revoked": true, "reason": c.RevokeReason}
	}
	return cred
}

// Sign returns the credential as a compact VC-JWT: header alg EdDSA, typ
// vc+jwt, kid; claims iss, jti, sub-less (the subject has no id), nbf, exp
// and vc (the OB 3.0 JWT encoding).
func (i *Issuer) Sign(c queries.Certificate) (string, error) {
	claims := map[string]any{
		"iss": i.DID(),
		"jti": VerifyURL(strings.TrimSuffix(i.Base.String(), "/"), c.PublicID),
		"nbf": c.IssuedAt.Unix(),
		"iat": c.IssuedAt.Unix(),
		"vc":  i.Credential(c),
	}
	if c.ExpiresAt != nil {
		claims["exp"] = c.ExpiresAt.Unix()
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	opts := (&jose.SignerOptions{}).WithType("vc+jwt").WithHeader("kid", i.KeyID())
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: i.Key}, opts)
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}
