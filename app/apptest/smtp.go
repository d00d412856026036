package apptest

import (
	"errors"
	"io"
	"net"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Mail is one message received by the test SMTP server.
type Mail struct {
	From, To, Subject, Body string
}

// Inbox is a real SMTP server (go-smtp) listening on 127.0.0.1 for the
// duration of a test. It requires AUTH PLAIN with the user and password in
// URL, so the portal's authentication path runs too.
type Inbox struct {
	URL  string
	mu   sync.Mutex
	mail []Mail
	cond *sync.Cond
}

const smtpUser, smtpPass = "portal", "s3cret"

// NewInbox starts the server; it stops when the test ends.
func NewInbox(t testing.TB) *Inbox {
	t.Helper()
	in := &Inbox{}
	in.cond = sync.NewCond(&in.mu)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := smtp.NewServer(backend{in})
	s.Domain = "localhost"
	s.AllowInsecureAuth = true
	s.ReadTimeout, s.WriteTimeout = 10*time.Second, 10*time.Second
	go s.Serve(ln) //nolint:errcheck // ends with Close
	t.Cleanup(func() { s.Close() })
	in.URL = "smtp://" + smtpUser + ":" + smtpPass + "@" + ln.Addr().String()
	return in
}

// WaitFor returns the first message to the address whose subject contains
// subject, waiting up to 10 s.
func (in *Inbox) WaitFor(t testing.TB, to, subject string) Mail {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	timer := time.AfterFunc(10*time.Second, func() { in.mu.Lock(); in.cond.Broadcast(); in.mu.Unlock() })
	defer timer.Stop()
	in.mu.Lock()
	defer in.mu.Unlock()
	for {
		for _, m := range in.mail {
			if strings.EqualFold(m.To, to) && strings.Contains(m.Subject, subject) {
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no email to %s with subject %q within 10s (got %d messages)", to, subject, len(in.mail))
		}
		in.cond.Wait()
	}
}

// Latest is the newest message sent to the address.
func (in *Inbox) Latest(t testing.TB, to string) Mail {
	t.Helper()
	in.mu.Lock()
	defer in.mu.Unlock()
	for i := len(in.mail) - 1; i >= 0; i-- {
		if strings.EqualFold(in.mail[i].To, to) {
			return in.mail[i]
		}
	}
	t.Fatalf("no email to %s", to)
	return Mail{}
}

// All is every message sent to the address so far, oldest first.
func (in *Inbox) All(to string) []Mail {
	in.mu.Lock()
	defer in.mu.Unlock()
	var out []Mail
	for _, m := range in.mail {
		if strings.EqualFold(m.To, to) {
			out = append(out, m)
		}
	}
	return out
}

// Count is the number of messages sent to the address so far.
func (in *Inbox) Count(to string) int {
	in.mu.Lock()
	defer in.mu.Unlock()
	n := 0
	for _, m := range in.mail {
		if strings.EqualFold(m.To, to) {
			n++
		}
	}
	return n
}

// WaitForLink returns the sign-in link of the first message to the address
// after the first `after` ones that holds one, waiting up to 10 s: other
// mail (a notification) may arrive in between.
func (in *Inbox) WaitForLink(t testing.TB, to string, after int) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second) // a timeout, not a date
	timer := time.AfterFunc(10*time.Second, func() { in.mu.Lock(); in.cond.Broadcast(); in.mu.Unlock() })
	defer timer.Stop()
	in.mu.Lock()
	defer in.mu.Unlock()
	for {
		n := 0
		for _, m := range in.mail {
			if !strings.EqualFold(m.To, to) {
				continue
			}
			n++
			if n > after {
				if l := linkRe.FindString(m.Body); l != "" {
					return l
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no sign-in email to %s within 10s", to)
		}
		in.cond.Wait()
	}
}

var linkRe = regexp.MustCompile(`https?://\S+/login/[A-Za-z0-9_-]+`)

// Link extracts the sign-in link from a message.
func (m Mail) Link(t testing.TB) string {
	t.Helper()
	l := linkRe.FindString(m.Body)
	if l == "" {
		t.Fatalf("no sign-in link in email body:\n%s", m.Body)
	}
	return l
}

type backend struct{ in *Inbox }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{in: b.in}, nil }

type session struct {
	in       *Inbox
	authed   bool
	from, to string
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != smtpUser || pass != smtpPass {
			return errors.New("bad credentials")
		}
		s.authed = true
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if !s.authed {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = to; return nil }

func (s *session) Data(r io.Reader) error {
	msg, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(msg.Body)
	if err != nil {
		return err
	}
	dec := new(mimeDecoder)
	m := Mail{From: s.from, To: s.to, Subject: dec.header(msg.Header.Get("Subject")), Body: string(body)}
	s.in.mu.Lock()
	s.in.mail = append(s.in.mail, m)
	s.in.cond.Broadcast()
	s.in.mu.Unlock()
	return nil
}

func (s *session) Reset()        {}
func (s *session) Logout() error { return nil }
