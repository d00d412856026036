package migrate

import (
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
)

// WriteStatus prints what `portal migrate --status` shows: the database's
// state in one line, then each step of this release and when it was applied.
// It returns an error (after printing) only when migrate would refuse the
// database.
func WriteStatus(w io.Writer, st State) error {
	switch st.Kind {
	case KindEmpty:
		fmt.Fprintf(w, "database: empty; `portal migrate` installs schema.sql and records steps up to %d\n", st.Latest)
	case KindBaseline:
		fmt.Fprintf(w, "database: the release before upgrade steps (%s = %d); %d step(s) pending\n", legacyTable, legacyBaseline, st.Pending())
	case KindSteps:
		if st.Pending() == 0 {
			fmt.Fprintf(w, "database: at step %d of %d, up to date\n", st.Current, st.Latest)
		} else {
			fmt.Fprintf(w, "database: at step %d of %d; %d step(s) pending: run `portal migrate`\n", st.Current, st.Latest, st.Pending())
		}
	case KindUnknown:
		fmt.Fprintf(w, "database: cannot be upgraded by this release: %s\n", st.Problem)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STEP\tFILE\tAPPLIED")
	for _, s := range st.Steps {
		applied := "pending"
		if s.Applied {
			applied = "yes"
			if !s.AppliedAt.IsZero() {
				applied = s.AppliedAt.Format("2006-01-02 15:04:05")
			}
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\n", s.Version, s.Name, applied)
	}
	for _, v := range st.Unknown {
		fmt.Fprintf(tw, "%d\t(not in this release)\tyes\n", v)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if st.Kind == KindUnknown {
		return errors.New(st.Problem)
	}
	return nil
}
