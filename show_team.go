package hawker

import (
	"context"
	"time"
)

// ShowRole is a user's part in one show, beside the shop's own team: a
// shop invites a creator to co-host one show without making them a member
// of the shop.
type ShowRole string

const (
	// ShowCohost may do in the show everything its host may: start, end
	// and rehearse it, edit it, fill the bag, pin, run deals, moderate
	// the chat, make its stream key. Not: change the show's team.
	ShowCohost ShowRole = "cohost"
	// ShowModerator may moderate the show's chat (mute, unmute, delete
	// messages, slow mode and the other settings) and see it in
	// rehearsal.
	ShowModerator ShowRole = "moderator"
)

// ValidShowRole reports whether r is one of the show roles.
func ValidShowRole(r ShowRole) bool { return r == ShowCohost || r == ShowModerator }

// MaxShowTeam bounds the co-hosts and moderators of one show.
const MaxShowTeam = 50

// Moderation log actions of show team changes (detail: the role).
const (
	ActionTeamAdd    ModerationAction = "team_add" // also a role change
	ActionTeamRemove ModerationAction = "team_remove"
)

// ShowTeamMember is a user assigned to one show.
type ShowTeamMember struct {
	ShowID string   `json:"show_id"`
	UserID string   `json:"user_id"`
	Role   ShowRole `json:"role"`
	// AddedAt is when the user joined the show's team; a role change
	// keeps it.
	AddedAt time.Time `json:"added_at"`
}

// TeamRole returns the user's role in the show's own team, or "" (also
// for the empty user id). Only shows from FindShowByID carry their team;
// on others it always answers "", which grants nothing.
func (s *Show) TeamRole(userID string) ShowRole {
	if userID == "" {
		return ""
	}
	for _, m := range s.Team {
		if m.UserID == userID {
			return m.Role
		}
	}
	return ""
}

// ShowTeamStore keeps the co-hosts and moderators of each show.
type ShowTeamStore interface {
	// PutShowTeamMember assigns the user to the show in m.Role, or
	// changes the role of a member (keeping AddedAt). Returns ENOTFOUND
	// for an unknown show or user, EINVALID for a role that is not a
	// ShowRole, and EINVALID (field "user_id") when the show has
	// [MaxShowTeam] members already. Nothing changes on error.
	PutShowTeamMember(ctx context.Context, m ShowTeamMember) error
	// DeleteShowTeamMember takes the user off the show's team; ENOTFOUND
	// when the user was not on it.
	DeleteShowTeamMember(ctx context.Context, showID, userID string) error
	// FindShowTeam returns the show's team ordered by user id (empty for
	// an unknown show). FindShowByID fills Show.Team the same way.
	FindShowTeam(ctx context.Context, showID string) ([]ShowTeamMember, error)
}
