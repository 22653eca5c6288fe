package hawker

import "time"

// ShowState is where a show is in its life.
type ShowState string

const (
	ShowScheduled ShowState = "scheduled"
	ShowRehearsal ShowState = "rehearsal" // visible to the shop's team only
	ShowLive      ShowState = "live"
	ShowEnded     ShowState = "ended"
)

// Show is a live-shopping broadcast of one shop. This is the first cut; the
// live-shows work completes it (bag, pin, deals, moderation).
type Show struct {
	ID          string     `json:"id"`
	ShopID      string     `json:"shop_id"`
	HostID      string     `json:"host_id"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	Markets     []string   `json:"markets"`
	ScheduledAt *time.Time `json:"scheduled_at"`
	State       ShowState  `json:"state"`
	CreatedAt   time.Time  `json:"created_at"`
	// CoverImageID is an image of the show's shop shown before and
	// around the stream; "" when none.
	CoverImageID string `json:"cover_image_id,omitempty"`
	// Team is the show's co-hosts and moderators (see [Show.TeamRole]):
	// filled by FindShowByID only, for permission checks.
	Team []ShowTeamMember `json:"-"`
}

// Limits of a show's schedule, relative to its creation.
const (
	MaxSchedulePast  = 5 * time.Minute // clock skew and "starting now"
	MaxScheduleAhead = 366 * 24 * time.Hour
)

// Validate checks a show for its shop, with CreatedAt set to the server's
// time. Markets default to the shop's.
func (s *Show) Validate(shop *Shop) error {
	if err := ValidateText("title", s.Title, 1, MaxTitleLen); err != nil {
		return err
	}
	if err := ValidateText("description", s.Description, 0, MaxDescriptionLen); err != nil {
		return err
	}
	if s.ScheduledAt != nil {
		// CreatedAt is the server's clock at creation; a client's idea of
		// "now" is never used.
		if s.ScheduledAt.Before(s.CreatedAt.Add(-MaxSchedulePast)) {
			return FieldError("scheduled_at", "scheduled_at is in the past")
		}
		if s.ScheduledAt.After(s.CreatedAt.Add(MaxScheduleAhead)) {
			return FieldError("scheduled_at", "scheduled_at is more than a year ahead")
		}
	}
	if len(s.Markets) == 0 {
		s.Markets = append([]string(nil), shop.Markets...)
	}
	for _, m := range s.Markets {
		if !shop.SellsIn(m) {
			return FieldError("markets", "the shop does not sell in %q", m)
		}
	}
	return nil
}
