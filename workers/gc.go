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
// 10,000 partners").
const WorkerGCPercent = 400

// WebGCPercent is the same for a web process. Rendering a page allocates
// (html/template's reflection, escaping): at Go's default the collector took
// about a fifth of the web process's CPU on /dashboard under 16 connections;
// at 400 that process uses 15 % less CPU per view (docs/BENCHMARKS.md,
// issue 10) for a heap that stays in the tens of megabytes.
const WebGCPercent = 400

// TuneGC applies WorkerGCPercent unless the operator set GOGC, and reports
// the value in force.
func TuneGC() int { return TuneGCTo(WorkerGCPercent) }

// TuneGCTo applies percent unless the operator set GOGC, and reports the
// value in force (-1: the operator's).
func TuneGCTo(percent int) int {
	if v := os.Getenv("GOGC"); v != "" {
		return -1 // the operator's GOGC rules (read by the Go runtime)
	}
	debug.SetGCPercent(percent)
	return percent
}
