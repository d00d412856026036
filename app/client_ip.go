package app

import (
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// clientIP is the address rate limits and records count for a request. The
// direct peer is the client, unless the peer is one of TRUSTED_PROXIES: then
// X-Forwarded-For is read from the right (each proxy appends the address it
// saw), skipping trusted proxies, and the first other address is the client.
// Entries further left were written by the client itself and are never
// believed.
func (h *Handler) clientIP(c *fiber.Ctx) string {
	peer, ok := netip.AddrFromSlice(c.Context().RemoteIP())
	if !ok {
		return c.IP()
	}
	peer = peer.Unmap()
	if !trusted(peer, h.Config.TrustedProxies) {
		return peer.String()
	}
	var hops []string
	for _, v := range c.Request().Header.PeekAll(fiber.HeaderXForwardedFor) {
		hops = append(hops, strings.Split(string(v), ",")...)
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // not written by a proxy of ours: stop at the last good hop
		}
		client = a.Unmap()
		if !trusted(client, h.Config.TrustedProxies) {
			break
		}
	}
	return client.String()
}

func trusted(a netip.Addr, proxies []netip.Prefix) bool {
	for _, p := range proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
