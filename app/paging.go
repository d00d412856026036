package app

import (
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"
)

// Pager describes one page of a list and links to its neighbours, keeping the
// rest of the query string.
type Pager struct {
	Page, PerPage int
	Total         int64
	PrevURL       string
	NextURL       string
}

// Offset is the SQL offset of the page.
func (p Pager) Offset() int32 { return int32((p.Page - 1) * p.PerPage) }

// Limit is the SQL limit of the page.
func (p Pager) Limit() int32 { return int32(p.PerPage) }

// Pages is the number of pages (at least 1).
func (p Pager) Pages() int64 {
	n := (p.Total + int64(p.PerPage) - 1) / int64(p.PerPage)
	return max(n, 1)
}

// pageNumber reads ?page= (1 when absent or invalid).
func pageNumber(c *fiber.Ctx) int {
	n, err := strconv.Atoi(c.Query("page"))
	if err != nil || n < 1 || n > 100000 {
		return 1
	}
	return n
}

func newPager(c *fiber.Ctx, page, perPage int, total int64) Pager {
	p := Pager{Page: page, PerPage: perPage, Total: total}
	link := func(n int) string {
		q, _ := url.ParseQuery(string(c.Request().URI().QueryString()))
		q.Set("page", strconv.Itoa(n))
		return c.Path() + "?" + q.Encode()
	}
	if page > 1 {
		p.PrevURL = link(page - 1)
	}
	if int64(page) < p.Pages() {
		p.NextURL = link(page + 1)
	}
	return p
}
