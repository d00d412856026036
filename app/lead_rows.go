package app

import (
	"html"
	"html/template"
	"strconv"
	"strings"

	"partnerportal/app/money"
)

// RowsHTML is the table body of the lead list. It is written here rather than
// in a template: html/template calls an escaper by reflection for each of a
// row's twenty actions, and at 25 rows that was most of the list fragment's
// time once its queries read a few hundred index entries (docs/BENCHMARKS.md,
// finding 8). Every text from the database goes through html.EscapeString,
// in element content and in double-quoted attributes alike; ids are numbers.
func (l *leadList) RowsHTML(csrf, zone string) template.HTML {
	var b strings.Builder
	b.Grow(len(l.Rows) * 1200)
	esc := html.EscapeString
	for _, row := range l.Rows {
		r := &row.Lead
		id := strconv.FormatInt(r.ID, 10)
		b.WriteString("\n<tr id=\"lead-" + id + "\">\n  <td><a href=\"/leads/" + id + "\" class=\"lead-company\">" + esc(r.Company) + "</a>")
		if r.DuplicateOfLeadID != nil {
			reason := "Possible duplicate of an earlier lead."
			if r.DuplicateReason != "" {
				reason = r.DuplicateReason
			}
			b.WriteString("\n    <span class=\"dup-marker\" title=\"" + esc(reason) + "\">Possible duplicate<span class=\"visually-hidden\">: " +
				esc(reason) + "</span></span>")
		}
		b.WriteString("</td>\n  <td>" + esc(r.ContactName))
		if r.Email != "" {
			b.WriteString("<br><small class=\"muted\">" + esc(r.Email) + "</small>")
		}
		b.WriteString("</td>\n  <td><span class=\"status status-" + esc(r.Status) + "\">" + esc(statusLabel(r.Status)) + "</span></td>\n  <td>" +
			esc(statusLabel(r.Stage)) + "</td>\n  <td class=\"num\">" + esc(money.Format(r.DealValueMinor, r.Currency)) + "</td>\n  <td><time datetime=\"" +
			isoTime(r.CreatedAt) + "\">" + esc(dateIn(r.CreatedAt, zone)) + "</time></td>\n  <td class=\"row-actions\">")
		if row.CanEdit {
			b.WriteString("<a href=\"/leads/" + id + "/edit\" class=\"edit-lead\">Edit</a>\n    <form method=\"post\" action=\"/leads/" + id +
				"/delete\" class=\"inline delete-lead\" data-confirm=\"Delete the lead for " + esc(r.Company) + "? This cannot be undone.\">\n" +
				"      <input type=\"hidden\" name=\"_csrf\" value=\"" + esc(csrf) + "\"><button type=\"submit\" class=\"linklike\">Delete</button>\n    </form>")
		}
		b.WriteString("</td>\n</tr>")
	}
	return template.HTML(b.String())
}
