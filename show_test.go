package hawker

import (
	"testing"
	"time"
)

func TestShowValidateSchedule(t *testing.T) {
	now := Now()
	shop := &Shop{ID: "shp_x", Markets: []string{"US"}}
	for _, tc := range []struct {
		name string
		at   time.Duration
		ok   bool
	}{
		{"now", 0, true},
		{"in an hour", time.Hour, true},
		{"a minute ago", -time.Minute, true},
		{"yesterday", -24 * time.Hour, false},
		{"in two years", 2 * 365 * 24 * time.Hour, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			at := now.Add(tc.at)
			s := &Show{Title: "t", CreatedAt: now, ScheduledAt: &at}
			err := s.Validate(shop)
			if (err == nil) != tc.ok {
				t.Fatalf("Validate = %v, want ok=%v", err, tc.ok)
			}
			if err != nil && ErrorCode(err) != EINVALID {
				t.Fatalf("code %s", ErrorCode(err))
			}
		})
	}
}
