package invoice_test

// BenchmarkRenderPDF: one 100-line invoice (go test -bench RenderPDF ./app/invoice).

import (
	"testing"

	"partnerportal/app/invoice"
)

func BenchmarkRenderPDF(b *testing.B) {
	inv, lines := sampleInvoice()
	for len(lines) < 100 {
		lines = append(lines, lines[0])
	}
	for b.Loop() {
		if _, err := invoice.RenderPDF(inv, lines); err != nil {
			b.Fatal(err)
		}
	}
}
