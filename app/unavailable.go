package app

import (
	"errors"
	"io"
	"net"
	"syscall"

	"github.com/redis/go-redis/v9"
)

// unavailableMessage is what a page that needs a service which is not
// answering (Redis, or PostgreSQL) says, with status 503.
const unavailableMessage = "This part of the portal is briefly unavailable while a service it needs restarts. " +
	"Nothing you entered was lost. Please try again in a minute."

// unavailable reports whether err means a service the portal talks to over
// the network (Redis, PostgreSQL) did not answer: refused or dropped
// connections, timeouts, an exhausted connection pool. Such a request gets
// a 503 that says so, never a generic 500.
func unavailable(err error) bool {
	if err == nil {
		return false
	}
	var op *net.OpError
	var dns *net.DNSError
	return errors.As(err, &op) || errors.As(err, &dns) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, redis.ErrPoolTimeout) || errors.Is(err, redis.ErrClosed) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}
