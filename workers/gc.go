package workers

import (
	"os"
	"runtime/debug"
)

// WorkerGCPercent is the garbage collector's target for a worker process
// when GOGC is not set. The invoice run renders a PDF per invoice, and fpdf
// allocates a fresh compressor for each stream of each document: with Go's
// default (100) the collector ran about every 50 MB and took a fifth of the
// run's CPU. At 400 the 10,000-partner run goes from 62 s to 49 s on 2 cores
// and its peak RSS from 59 to 154 MB (docs/BENCHMARKS.md, "Invoice run at
// 10,000 partners"). Web processes keep Go's default.
const WorkerGCPercent = 400

// TuneGC applies WorkerGCPercent unless the operator set GOGC, and reports
// the value in force.
func TuneGC() int {
	if v := os.Getenv("GOGC"); v != "" {
		return -1 // the operator's GOGC rules (read by the Go runtime)
	}
	debug.SetGCPercent(WorkerGCPercent)
	return WorkerGCPercent
}
