package seed

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"partnerportal/app/storage"
	"partnerportal/app/training"
	"partnerportal/queries"
)

type seedLesson struct{ title, body, embed string }

type seedQuestion struct {
	prompt   string
	multiple bool
	options  []string
	correct  []int
}

type seedCourse struct {
	title, summary, topic string
	minutes, validMonths  int32
	premiumOnly, draft    bool
	bonus                 int64
	lessons               []seedLesson
	quiz                  []seedQuestion
}

var demoCourses = []seedCourse{
	{title: "Acme Cloud Fundamentals", topic: "Product", minutes: 35, validMonths: 24, bonus: 5000,
		summary: "What Acme Cloud is, who buys it and how it is priced: the basis of every conversation with a customer.",
		lessons: []seedLesson{
			{title: "What Acme Cloud does", body: "Acme Cloud runs **managed databases, queues and object storage** for mid-sized companies.\n\n- One bill, one console\n- Backups and failover included\n- Support in the customer's time zone\n\nRead the [product overview](https://acme.test/product) before your first call."},
			{title: "Who buys it", body: "Our best customers have **20 to 500 engineers**, run on one or two clouds already and are tired of running databases themselves.\n\n1. The head of platform feels the pain.\n2. The CFO signs.\n3. Security reviews.\n\nAsk about their last outage: it opens the conversation."},
			{title: "Pricing in five minutes", body: "Acme Cloud is priced **per resource hour** with a monthly commitment.\n\n| Plan | Commitment | Discount |\n|---|---|---|\n| Starter | none | 0% |\n| Growth | $2,000 / month | 10% |\n| Scale | $10,000 / month | 20% |\n\nAnnual prepayment adds 5%."},
		},
		quiz: []seedQuestion{
			{prompt: "Which services does Acme Cloud manage?", multiple: true, options: []string{"Databases", "Queues", "Laptops", "Object storage"}, correct: []int{0, 1, 3}},
			{prompt: "Who usually signs the contract?", options: []string{"The head of platform", "The CFO", "An intern"}, correct: []int{1}},
			{prompt: "What does annual prepayment add?", options: []string{"5% discount", "Free laptops", "Nothing"}, correct: []int{0}},
		}},
	{title: "Selling Acme Cloud to Mid-Market", topic: "Sales", minutes: 25, validMonths: 12, bonus: 10000,
		summary: "A discovery call, the demo that wins, and how to register the lead so your commission is protected.",
		lessons: []seedLesson{
			{title: "The discovery call (video)", embed: "https://player.vimeo.com/video/76979871",
				body: "Watch the recorded discovery call above, then note the three questions that moved the deal forward."},
			{title: "Register the lead first", body: "Register every opportunity in **Leads** before the demo: the protection window starts at registration, and a duplicate registered by another partner first wins."},
		}},
	{title: "Security Deep Dive for Premium Partners", topic: "Technical", minutes: 50, validMonths: 0, premiumOnly: true,
		summary: "Encryption, tenancy and audits: answer the security questionnaire without calling us.",
		lessons: []seedLesson{
			{title: "Encryption and keys", body: "Data is encrypted at rest with per-tenant keys and in transit with TLS 1.3."},
			{title: "Audits", body: "Acme Cloud holds SOC 2 Type II and ISO 27001; reports are shared under NDA."},
		}},
	{title: "Partner Onboarding (draft)", topic: "Program", minutes: 10, draft: true,
		summary: "Not published yet.", lessons: []seedLesson{{title: "Welcome", body: "Draft."}}},
}

// seedTraining loads Acme's demo courses and accreditations and Northwind's
// progress: a user in progress, an admin with a valid certificate and an
// accreditation, an expired certificate and an expired accreditation. Once.
func seedTraining(ctx context.Context, q *queries.Queries, orgID int64, tierIDs map[string]int64, now time.Time) error {
	existing, err := q.ListCoursesForStaff(ctx, orgID)
	if err != nil || len(existing) > 0 {
		return err
	}
	created := now.AddDate(-2, 0, 0)
	var ids []int64
	lessons := map[int64][]int64{}
	for _, sc := range demoCourses {
		vis, tiers := "all", []int64{}
		if sc.premiumOnly {
			vis, tiers = "tiers", []int64{tierIDs["Premium"]}
		}
		c, err := q.CreateCourse(ctx, queries.CreateCourseParams{Now: created, OrganizationID: orgID, Title: sc.title, Summary: sc.summary,
			Topic: sc.topic, Minutes: sc.minutes, Visibility: vis, TierIds: tiers, PassMarkPct: 70, CooldownMinutes: 30,
			ValidMonths: sc.validMonths, BonusMinor: sc.bonus, BonusCurrency: "USD", BonusTierIds: []int64{}})
		if err != nil {
			return err
		}
		ids = append(ids, c.ID)
		for _, l := range sc.lessons {
			row, err := q.CreateLesson(ctx, queries.CreateLessonParams{Now: created, OrganizationID: orgID, CourseID: c.ID,
				Title: l.title, BodyMd: l.body, EmbedUrl: l.embed})
			if err != nil {
				return err
			}
			lessons[c.ID] = append(lessons[c.ID], row.ID)
		}
		for _, qq := range sc.quiz {
			qid, err := q.CreateQuestion(ctx, queries.CreateQuestionParams{OrganizationID: orgID, CourseID: c.ID, Prompt: qq.prompt, Multiple: qq.multiple})
			if err != nil {
				return err
			}
			for i, o := range qq.options {
				correct := false
				for _, k := range qq.correct {
					correct = correct || k == i
				}
				if err := q.CreateOption(ctx, queries.CreateOptionParams{OrganizationID: orgID, QuestionID: qid, Position: int32(i), Label: o, Correct: correct}); err != nil {
					return err
				}
			}
		}
		if !sc.draft {
			if _, err := q.SetCourseStatus(ctx, queries.SetCourseStatusParams{Now: created, OrganizationID: orgID, ID: c.ID, Status: "published"}); err != nil {
				return err
			}
		}
	}
	premium := tierIDs["Premium"]
	if _, err := q.CreateAccreditation(ctx, queries.CreateAccreditationParams{Now: created, OrganizationID: orgID,
		Name: "Acme Certified Partner", Description: "Knows the product and how to sell it: the badge of our recommended partners.",
		CourseIds: []int64{ids[0], ids[1]}, ValidMonths: 12, BonusMinor: 25000, BonusCurrency: "USD", BonusPer: "company",
		UpgradeTierID: &premium, UpgradeHolders: 1}); err != nil {
		return err
	}
	if _, err := q.CreateAccreditation(ctx, queries.CreateAccreditationParams{Now: created, OrganizationID: orgID,
		Name: "Mid-Market Sales Specialist", Description: "Runs a discovery call and registers leads the Acme way.",
		CourseIds: []int64{ids[1]}, ValidMonths: 12, BonusCurrency: "USD", BonusPer: "person", UpgradeHolders: 1}); err != nil {
		return err
	}

	// Northwind's people.
	var partnerID, adminID, userID int64
	for _, m := range []struct {
		email string
		id    *int64
	}{{"admin@northwind.test", &adminID}, {"user@northwind.test", &userID}} {
		u, err := q.GetUserByEmail(ctx, m.email)
		if err != nil {
			return err
		}
		*m.id = u.ID
		if u.PartnerID != nil {
			partnerID = *u.PartnerID
		}
	}
	take := func(user, course int64, lessonsDone []int64, at time.Time, quizScore int32, complete bool) error {
		if _, err := q.Enrol(ctx, queries.EnrolParams{Now: at.Add(-time.Hour), OrganizationID: orgID, PartnerID: partnerID, UserID: user, CourseID: course}); err != nil {
			return err
		}
		for _, l := range lessonsDone {
			if err := q.MarkLessonDone(ctx, queries.MarkLessonDoneParams{Now: at.Add(-30 * time.Minute), OrganizationID: orgID, PartnerID: partnerID,
				UserID: user, CourseID: course, LessonID: l}); err != nil {
				return err
			}
		}
		if quizScore > 0 {
			if _, err := q.InsertQuizAttempt(ctx, queries.InsertQuizAttemptParams{Now: at, OrganizationID: orgID, PartnerID: partnerID, UserID: user,
				CourseID: course, CourseVersion: 1, ScorePct: quizScore, Passed: true, WrongQuestionIds: []int64{}}); err != nil {
				return err
			}
		}
		if !complete {
			return nil
		}
		e, err := q.CompleteEnrolment(ctx, queries.CompleteEnrolmentParams{Now: at, ScorePct: scorePtr(quizScore),
			OrganizationID: orgID, PartnerID: partnerID, UserID: user, CourseID: course})
		if err != nil {
			return err
		}
		// The seed issues at once, without an outbox event or notifications.
		_, err = training.ProcessQuiet(ctx, q, training.Event{OrganizationID: orgID, EnrolmentID: e.ID, PartnerID: partnerID, UserID: user, CourseID: course})
		return err
	}
	// Admin: "Selling" 14 months ago (certificate and specialist badge now
	// expired), "Fundamentals" 2 months ago (valid; with "Selling" it made
	// the certified-partner badge... at the time of the second course).
	if err := take(adminID, ids[1], lessons[ids[1]], now.AddDate(0, -14, 0), 0, true); err != nil {
		return err
	}
	if err := take(adminID, ids[0], lessons[ids[0]], now.AddDate(0, -2, 0), 100, true); err != nil {
		return err
	}
	// User: one lesson of "Fundamentals" done.
	if err := take(userID, ids[0], lessons[ids[0]][:1], now.AddDate(0, 0, -3), 0, false); err != nil {
		return err
	}
	if _, err := q.MarkExpiredAwards(ctx, now); err != nil {
		return err
	}
	return nil
}

func scorePtr(s int32) *int32 {
	if s == 0 {
		return nil
	}
	return &s
}

// The demo lesson with an uploaded video (the other demo video lesson is a
// Vimeo embed): Fundamentals' first lesson.
const (
	videoCourse = "Acme Cloud Fundamentals"
	videoLesson = "What Acme Cloud does"
)

// TrainingVideo gives the demo video lesson a real uploaded video in files:
// a short WebM made by ffmpeg (DemoVideo), stored as staff uploads are. It
// runs after Demo with the file store, and again at every start: a file store
// emptied since is filled again; without ffmpeg the lesson stays (or becomes)
// text only, with a log line.
func TrainingVideo(ctx context.Context, store *queries.Store, files storage.Store, log *slog.Logger) error {
	var path string
	for _, o := range Organizations {
		org, err := store.GetOrganizationBySlug(ctx, o.slug)
		if err != nil {
			return fmt.Errorf("seed training video %s: %w", o.slug, err)
		}
		courses, err := store.ListCoursesForStaff(ctx, org.ID)
		if err != nil {
			return err
		}
		for _, c := range courses {
			if c.Title != videoCourse {
				continue
			}
			lessons, err := store.ListLessonsForStaff(ctx, queries.ListLessonsForStaffParams{OrganizationID: org.ID, CourseID: c.ID})
			if err != nil {
				return err
			}
			for _, l := range lessons {
				if l.Title != videoLesson || l.EmbedUrl != "" {
					continue
				}
				key := fmt.Sprintf("org/%d/training/courses/%d/video-demo-%d.webm", org.ID, c.ID, l.ID)
				if l.VideoKey == key {
					if _, err := files.Stat(ctx, key); err == nil {
						continue
					}
				} else if l.VideoKey != "" {
					continue // staff uploaded their own
				}
				if path == "" {
					dir, err := os.MkdirTemp("", "portal-seed-video-")
					if err != nil {
						return err
					}
					defer os.RemoveAll(dir)
					if path, err = DemoVideo(ctx, dir, "webm"); err != nil {
						log.Info("demo lesson video skipped (ffmpeg is needed to make it)", "lesson", videoLesson, "err", err)
						if l.VideoKey == key { // its file is gone: the lesson becomes text only
							return store.SetLessonVideo(ctx, queries.SetLessonVideoParams{OrganizationID: org.ID, ID: l.ID})
						}
						return nil
					}
				}
				f, err := os.Open(path)
				if err != nil {
					return err
				}
				_, err = files.Put(ctx, key, f, -1, "video/webm")
				f.Close()
				if err != nil {
					return fmt.Errorf("seed training video: %w", err)
				}
				if err := store.SetLessonVideo(ctx, queries.SetLessonVideoParams{OrganizationID: org.ID, ID: l.ID, VideoKey: key, VideoType: "video/webm"}); err != nil {
					return err
				}
				log.Info("demo lesson video stored", "organization", o.slug, "lesson_id", l.ID)
			}
		}
	}
	return nil
}
