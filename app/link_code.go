package app

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"

	"partnerportal/queries"
)

// linkCodeSlugMax bounds the readable part of a generated code; with the
// dash and the random suffix a code stays well under the 64 allowed.
const (
	linkCodeSlugMax   = 40
	linkCodeSuffixLen = 6
	linkCodeAttempts  = 5
)

// newLinkCode makes a code for a new link: a slug of base ("Wayne
// Enterprises" → "wayne-enterprises") and a random suffix, so codes are
// readable in a shared URL but cannot be guessed from the name alone.
func newLinkCode(base string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(base) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
		if b.Len() >= linkCodeSlugMax {
			break
		}
	}
	slug := strings.Trim(b.String(), "-")
	suffix := rand.Text()[:linkCodeSuffixLen] // base32: A–Z, 2–7
	suffix = strings.ToLower(suffix)
	if slug == "" {
		return "link-" + suffix
	}
	return slug + "-" + suffix
}

// errNoFreeCode means every generated code was taken (practically never).
var errNoFreeCode = errors.New("no free tracking link code after several attempts")

// createLinkWithCode inserts a link under a fresh code made from base,
// trying another code when one is taken. It returns the id and the code.
func createLinkWithCode(ctx context.Context, q *queries.Queries, arg queries.CreateTrackingLinkParams, base string) (int64, string, error) {
	for range linkCodeAttempts {
		arg.Code = newLinkCode(base)
		id, err := q.CreateTrackingLink(ctx, arg)
		if queries.IsNotFound(err) {
			continue // code taken: ON CONFLICT DO NOTHING returned no row
		}
		if err != nil {
			return 0, "", err
		}
		return id, arg.Code, nil
	}
	return 0, "", errNoFreeCode
}
