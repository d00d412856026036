package iban_test

import (
	"errors"
	"testing"

	"partnerportal/app/iban"
)

func TestNormalize(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		err      error
	}{
		{"DE89 3704 0044 0532 0130 00", "DE89370400440532013000", nil},
		{"de89370400440532013000", "DE89370400440532013000", nil},
		{"GB82 WEST 1234 5698 7654 32", "GB82WEST12345698765432", nil},
		{"NL91ABNA0417164300", "NL91ABNA0417164300", nil},
		{"NO9386011117947", "NO9386011117947", nil},
		{"DE88 3704 0044 0532 0130 00", "", iban.ErrChecksum},
		{"GB82 WEST 1234 5698 7654 33", "", iban.ErrChecksum},
		{"DE89 3704 0044 0532 0130", "", iban.ErrLength},
		{"", "", iban.ErrFormat},
		{"1234567890123456", "", iban.ErrFormat},
		{"DE89-3704-0044-0532-0130-0!", "", iban.ErrFormat},
	} {
		got, err := iban.Normalize(tc.in)
		if got != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("Normalize(%q) = %q, %v; want %q, %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestMask(t *testing.T) {
	if got := iban.Mask("DE89370400440532013000"); got != "DE•• •••• •••• •••• 3000" {
		t.Fatalf("Mask = %q", got)
	}
}
