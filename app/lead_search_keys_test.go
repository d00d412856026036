package app_test

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"

	"partnerportal/app/apptest"
)

// The partner search narrows candidates with search keys (lead_search_keys and
// lead_search_query_keys in schema.sql) before LIKE decides. If a term ever had
// a key that a text containing it lacks, the search would silently miss that
// lead. This checks the rule on random texts and random pieces of them: words,
// digits, punctuation, spaces and letters beyond ASCII, cut anywhere.
func TestSearchKeysOfATermAreInEveryTextContainingIt(t *testing.T) {
	env := apptest.NewEnv(t, apptest.Options{})
	rng := rand.New(rand.NewPCG(7, 11))
	alphabet := []rune("abcdeéfghijklmnoöpqrsßtuvwxyzABCDXYZ0123456789 .-@_%'ÄÖÜçñ日本")
	var texts, terms []string
	for range 3000 {
		n := 5 + rng.IntN(40)
		r := make([]rune, n)
		for i := range r {
			r[i] = alphabet[rng.IntN(len(alphabet))]
		}
		from := rng.IntN(n)
		to := from + 1 + rng.IntN(n-from)
		texts = append(texts, strings.ToLower(string(r)))
		terms = append(terms, string(r[from:to]))
	}
	var missed, keyed int
	err := env.Store.Pool.QueryRow(context.Background(), `
		SELECT count(*) FILTER (WHERE NOT lead_search_keys(7, t) @> lead_search_query_keys(7, q)),
		       count(*) FILTER (WHERE cardinality(lead_search_query_keys(7, q)) > 0)
		FROM unnest($1::text[], $2::text[]) AS x(t, q)`, texts, terms).Scan(&missed, &keyed)
	if err != nil {
		t.Fatal(err)
	}
	if missed != 0 {
		t.Errorf("%d of %d terms have a key their text lacks", missed, len(terms))
	}
	if keyed < len(terms)/4 {
		t.Errorf("only %d of %d terms have keys: the test does not exercise them", keyed, len(terms))
	}
	// The keys are the partner's own: another partner's text never has them.
	var other bool
	if err := env.Store.Pool.QueryRow(context.Background(),
		`SELECT lead_search_keys(8, 'harborfield logistics') && lead_search_query_keys(7, 'logistics')`).Scan(&other); err != nil || other {
		t.Errorf("keys shared across partners: %v, %v", other, err)
	}
}
