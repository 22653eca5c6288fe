package hawkerhttp

import (
	"fmt"
	"net/http"

	"hawker"
)

// Show team routes: the co-hosts and moderators of one show, who need not
// be on the shop's team (a shop invites a creator to co-host one show).
// The team is private like the show's moderation: those who may moderate
// the show read it, others get 404. Only the shop's sellers and hosts, the
// show's host and admins change it (403 for the show's own co-hosts and
// moderators and the shop's moderators). Changes are written to the
// show's moderation audit log (team_add with the role, team_remove).

// teamMemberJSON is a member of a show's team as the API answers it: the
// user's display name (what chat shows anyway), never the email.
type teamMemberJSON struct {
	hawker.ShowTeamMember
	Name string `json:"name"`
}

// showForTeam loads the {id} show for a caller who must read its team (or,
// with manage, change it): 401 anonymous, 404 unknown or not the caller's
// to see, 403 may see but not change.
func showForTeam(r *http.Request, store hawker.Store, manage bool) (*hawker.Actor, *hawker.Show, error) {
	a, sh, err := showToModerate(r, store)
	if err != nil {
		return nil, nil, err
	}
	if manage && !canManageShowTeam(a, sh) {
		return nil, nil, hawker.Errorf(hawker.EFORBIDDEN, "Only the show's host, the shop's hosts and sellers may change the show's team.")
	}
	return a, sh, nil
}

// teamUser loads the {user} of the path: 404 (field "user") when there is
// no such user.
func teamUser(r *http.Request, store hawker.Store) (*hawker.User, error) {
	id := r.PathValue("user")
	noUser := &hawker.Error{Code: hawker.ENOTFOUND, Message: "No such user.", Field: "user"}
	if !hawker.ValidID(hawker.PrefixUser, id) {
		return nil, noUser
	}
	u, err := store.FindUserByID(r.Context(), id)
	if hawker.ErrorCode(err) == hawker.ENOTFOUND {
		return nil, noUser
	} else if err != nil {
		return nil, fmt.Errorf("find user: %w", err)
	}
	return u, nil
}

// auditTeam records a team change in the show's moderation log. As with
// the other moderation actions, a change that could not be recorded is
// answered as an error (500), though it is made.
func auditTeam(r *http.Request, store hawker.Store, a *hawker.Actor, showID, userID string, action hawker.ModerationAction, role hawker.ShowRole) error {
	e := hawker.ModerationEntry{
		ID: hawker.NewID(hawker.PrefixModeration), ShowID: showID, ActorID: actorID(a),
		Action: action, UserID: userID, Detail: string(role), At: hawker.Now(),
	}
	if err := store.AppendModeration(r.Context(), e); err != nil {
		return fmt.Errorf("audit show team change: %w", err)
	}
	return nil
}

// handleTeamList answers the show's co-hosts and moderators, ordered by
// user id (at most hawker.MaxShowTeam: one page).
func handleTeamList(store hawker.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, sh, err := showForTeam(r, store, false)
		if err != nil {
			Error(w, r, err)
			return
		}
		ctx := r.Context()
		team, err := store.FindShowTeam(ctx, sh.ID)
		if err != nil {
			Error(w, r, fmt.Errorf("find team: %w", err))
			return
		}
		out := make([]teamMemberJSON, 0, len(team))
		for _, m := range team {
			u, err := store.FindUserByID(ctx, m.UserID)
			if err != nil {
				Error(w, r, fmt.Errorf("find team member: %w", err))
				return
			}
			out = append(out, teamMemberJSON{ShowTeamMember: m, Name: u.Name})
		}
		encode(w, http.StatusOK, whole(out))
	})
}

// handleTeamPut adds a user to the show's team as cohost or moderator, or
// changes the member's role (200 either way). An ended show is 409; a full
// team is 422 (user_id).
func handleTeamPut(store hawker.Store) http.Handler {
	type request struct {
		Role hawker.ShowRole `json:"role"`
	}
	type response struct {
		Member teamMemberJSON `json:"member"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, sh, err := showForTeam(r, store, true)
		if err != nil {
			Error(w, r, err)
			return
		}
		req, err := decode[request](w, r)
		if err != nil {
			Error(w, r, err)
			return
		}
		if !hawker.ValidShowRole(req.Role) {
			Error(w, r, hawker.FieldError("role", "role must be cohost or moderator"))
			return
		}
		u, err := teamUser(r, store)
		if err != nil {
			Error(w, r, err)
			return
		}
		if sh.State == hawker.ShowEnded {
			Error(w, r, errShowEnded())
			return
		}
		m := hawker.ShowTeamMember{ShowID: sh.ID, UserID: u.ID, Role: req.Role, AddedAt: hawker.Now()}
		for _, old := range sh.Team {
			if old.UserID == u.ID {
				m.AddedAt = old.AddedAt // the store keeps it on a role change
			}
		}
		if err := store.PutShowTeamMember(r.Context(), m); err != nil {
			Error(w, r, notFound(err, "No such show or user."))
			return
		}
		if err := auditTeam(r, store, a, sh.ID, u.ID, hawker.ActionTeamAdd, req.Role); err != nil {
			Error(w, r, err)
			return
		}
		encode(w, http.StatusOK, response{Member: teamMemberJSON{ShowTeamMember: m, Name: u.Name}})
	})
}

// handleTeamDelete takes a user off the show's team (also after the show
// ended: taking access away is always allowed). 404 when the user was not
// on it.
func handleTeamDelete(store hawker.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, sh, err := showForTeam(r, store, true)
		if err != nil {
			Error(w, r, err)
			return
		}
		userID := r.PathValue("user")
		role := sh.TeamRole(userID)
		if !hawker.ValidID(hawker.PrefixUser, userID) || role == "" {
			Error(w, r, &hawker.Error{Code: hawker.ENOTFOUND, Message: "The user is not on the show's team.", Field: "user"})
			return
		}
		if err := store.DeleteShowTeamMember(r.Context(), sh.ID, userID); err != nil {
			Error(w, r, notFound(err, "The user is not on the show's team."))
			return
		}
		if err := auditTeam(r, store, a, sh.ID, userID, hawker.ActionTeamRemove, role); err != nil {
			Error(w, r, err)
			return
		}
		noContent(w)
	})
}
