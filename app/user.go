package app

import (
	"strings"

	"partnerportal/queries"
)

// Roles, as stored in users.role.
const (
	RoleStaff        = "staff"
	RolePartnerAdmin = "partner_admin"
	RolePartnerUser  = "partner_user"
)

// User is the signed-in user with the organization and partner context every
// handler scopes its queries by.
type User struct {
	ID                int64
	OrganizationID    int64
	PartnerID         int64 // 0 for vendor staff
	Role              string
	Email             string
	Name              string
	TimeZone          string
	OrganizationName  string
	OrganizationTZ    string
	Currency          string
	AgreementsEnabled bool
	PartnerName       string
}

func userFromSession(r queries.GetSessionUserRow) *User {
	u := &User{
		ID: r.UserID, OrganizationID: r.OrganizationID, Role: r.Role, Email: r.Email,
		Name: r.Name, TimeZone: r.TimeZone, OrganizationName: r.OrganizationName,
		OrganizationTZ: r.OrganizationTimeZone, Currency: r.OrganizationCurrency,
		AgreementsEnabled: r.AgreementsEnabled,
	}
	if r.PartnerID != nil {
		u.PartnerID = *r.PartnerID
	}
	if r.PartnerName != nil {
		u.PartnerName = *r.PartnerName
	}
	return u
}

// IsStaff reports whether the user is vendor staff.
func (u *User) IsStaff() bool { return u.Role == RoleStaff }

// IsPartner reports whether the user belongs to a partner company.
func (u *User) IsPartner() bool { return u.Role == RolePartnerAdmin || u.Role == RolePartnerUser }

// IsPartnerAdmin reports whether the user administers their partner company.
func (u *User) IsPartnerAdmin() bool { return u.Role == RolePartnerAdmin }

// DisplayName is the name, or the email when no name is set.
func (u *User) DisplayName() string {
	if u.Name != "" {
		return u.Name
	}
	return u.Email
}

// Zone is the user's time zone, falling back to the organization's.
func (u *User) Zone() string {
	if u.TimeZone != "" {
		return u.TimeZone
	}
	return u.OrganizationTZ
}

// RoleLabel is the role as users read it.
func RoleLabel(role string) string {
	switch role {
	case RoleStaff:
		return "Staff"
	case RolePartnerAdmin:
		return "Admin"
	case RolePartnerUser:
		return "User"
	}
	return role
}

// MaskEmail shows enough of an address to recognise it: "a…@northwind.test".
func MaskEmail(email string) string {
	at := strings.LastIndex(email, "@")
	if at <= 0 {
		return "…"
	}
	r := []rune(email[:at])
	return string(r[0]) + "…" + email[at:]
}
