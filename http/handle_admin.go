package hawkerhttp

import (
	"fmt"
	"net/http"
	"slices"

	"hawker"
	"hawker/internal/secret"
)

// apiKeyPrefixLen is how much of a new key is kept to tell keys apart
// ("hk_" and 8 characters: 48 of its 256 bits).
const apiKeyPrefixLen = 11

// handleUserList lists accounts (admin).
func handleUserList(store hawker.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := requireAdmin(r); err != nil {
			Error(w, r, err)
			return
		}
		p, err := parsePage(r, hawker.PrefixUser)
		if err != nil {
			Error(w, r, err)
			return
		}
		users, err := store.FindUsers(r.Context(), p)
		if err != nil {
			Error(w, r, fmt.Errorf("find users: %w", err))
			return
		}
		for i, u := range users {
			users[i] = userOut(u)
		}
		encode(w, http.StatusOK, pageOf(users, p, func(u *hawker.User) string { return u.ID }))
	})
}

// handleUserRolesPut replaces a user's global roles (admin).
func handleUserRolesPut(store hawker.Store) http.Handler {
	type request struct {
		Roles []hawker.Role `json:"roles"`
	}
	type response struct {
		User *hawker.User `json:"user"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := requireAdmin(r); err != nil {
			Error(w, r, err)
			return
		}
		ctx := r.Context()
		id := r.PathValue("id")
		u, err := store.FindUserByID(ctx, id)
		if err != nil {
			Error(w, r, notFound(err, "No such user."))
			return
		}
		req, err := decode[request](w, r)
		if err != nil {
			Error(w, r, err)
			return
		}
		if req.Roles == nil {
			Error(w, r, hawker.FieldError("roles", "roles is required (an empty list removes every role)"))
			return
		}
		roles := []hawker.Role{}
		for i, role := range req.Roles {
			if !hawker.ValidRole(role) {
				Error(w, r, hawker.FieldError(fmt.Sprintf("roles[%d]", i), "unknown role %q", role))
				return
			}
			if !slices.Contains(roles, role) {
				roles = append(roles, role)
			}
		}
		if err := store.SetUserRoles(ctx, u.ID, roles); err != nil {
			Error(w, r, notFound(err, "No such user."))
			return
		}
		u.Roles = roles
		encode(w, http.StatusOK, response{User: userOut(u)})
	})
}

// handleAPIKeyCreate makes an API key (admin). The key is in this answer
// only; the store keeps its hash.
func handleAPIKeyCreate(store hawker.Store) http.Handler {
	type request struct {
		Name string      `json:"name"`
		Role hawker.Role `json:"role"`
	}
	type response struct {
		APIKey *hawker.APIKey `json:"api_key"`
		Key    string         `json:"key"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := requireAdmin(r); err != nil {
			Error(w, r, err)
			return
		}
		req, err := decode[request](w, r)
		if err != nil {
			Error(w, r, err)
			return
		}
		if err := hawker.ValidateText("name", req.Name, 1, hawker.MaxNameLen); err != nil {
			Error(w, r, err)
			return
		}
		if !hawker.ValidRole(req.Role) {
			Error(w, r, hawker.FieldError("role", "unknown role %q", req.Role))
			return
		}
		token, hash := secret.NewToken(prefixAPIKeyToken)
		k := &hawker.APIKey{
			ID:        hawker.NewID(hawker.PrefixAPIKey),
			Name:      req.Name,
			Role:      req.Role,
			KeyHash:   hash,
			Prefix:    token[:apiKeyPrefixLen],
			CreatedAt: hawker.Now(),
		}
		if err := store.CreateAPIKey(r.Context(), k); err != nil {
			Error(w, r, fmt.Errorf("create API key: %w", err))
			return
		}
		encode(w, http.StatusCreated, response{APIKey: k, Key: token})
	})
}

// handleAPIKeyList lists API keys, revoked ones too (admin).
func handleAPIKeyList(store hawker.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := requireAdmin(r); err != nil {
			Error(w, r, err)
			return
		}
		p, err := parsePage(r, hawker.PrefixAPIKey)
		if err != nil {
			Error(w, r, err)
			return
		}
		keys, err := store.FindAPIKeys(r.Context(), p)
		if err != nil {
			Error(w, r, fmt.Errorf("find API keys: %w", err))
			return
		}
		encode(w, http.StatusOK, pageOf(keys, p, func(k *hawker.APIKey) string { return k.ID }))
	})
}

// handleAPIKeyDelete revokes an API key (admin); it stops working at once.
func handleAPIKeyDelete(store hawker.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := requireAdmin(r); err != nil {
			Error(w, r, err)
			return
		}
		if err := store.RevokeAPIKey(r.Context(), r.PathValue("id"), hawker.Now()); err != nil {
			Error(w, r, notFound(err, "No such API key."))
			return
		}
		noContent(w)
	})
}

// notFound gives a store's ENOTFOUND a message of our own; other errors
// pass through.
func notFound(err error, msg string) error {
	if hawker.ErrorCode(err) == hawker.ENOTFOUND {
		return hawker.Errorf(hawker.ENOTFOUND, "%s", msg)
	}
	return err
}
