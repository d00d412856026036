package app

import "testing"

func TestPartnerCanEdit(t *testing.T) {
	admin := &User{ID: 1, Role: RolePartnerAdmin}
	user := &User{ID: 2, Role: RolePartnerUser}
	staff := &User{ID: 3, Role: RoleStaff}
	mine, theirs := int64(2), int64(9)
	cases := []struct {
		name        string
		u           *User
		status, src string
		createdBy   *int64
		want        bool
	}{
		{"admin, own company's lead in review", admin, "in_review", "partner", &theirs, true},
		{"user, own lead in review", user, "in_review", "partner", &mine, true},
		{"user, colleague's lead", user, "in_review", "partner", &theirs, false},
		{"user, lead without creator", user, "in_review", "partner", nil, false},
		{"approved is locked", admin, "approved", "partner", &theirs, false},
		{"rejected is locked", admin, "rejected", "partner", &theirs, false},
		{"referral from the program team", admin, "in_review", "referral", &theirs, false},
		{"sign-up through a tracking link", admin, "in_review", "referral_link", nil, false},
		{"staff use the review queue", staff, "in_review", "partner", &theirs, false},
		{"nobody signed in", nil, "in_review", "partner", &mine, false},
	}
	for _, c := range cases {
		if got := partnerCanEdit(c.u, c.status, c.src, c.createdBy); got != c.want {
			t.Errorf("%s: got %v", c.name, got)
		}
	}
}
