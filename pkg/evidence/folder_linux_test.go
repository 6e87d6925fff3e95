package evidence

import (
	"errors"
	"strings"
	"syscall"
	"testing"
)

// mountTmpfs mounts a new tmpfs on a fresh folder, as CI mounts a volume at
// /evidence; it needs CAP_SYS_ADMIN, which an unprivileged run lacks.
func mountTmpfs(t *testing.T, flags uintptr) string {
	t.Helper()
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", flags, "size=16m"); err != nil {
		if errors.Is(err, syscall.EPERM) {
			t.Skipf("mounting a tmpfs needs CAP_SYS_ADMIN (%v); the '.' and working-folder cases of TestWritesIntoTheFolderDIRResolvesTo run the same code path", err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
			t.Error(err)
		}
	})
	return dir
}

// A mount point cannot be renamed (EBUSY): the bundle goes into it.
func TestWritesIntoAMountPoint(t *testing.T) {
	dir := mountTmpfs(t, 0)
	if err := Preflight(dir, false); err != nil {
		t.Fatal(err)
	}
	write(t, dir, Options{}, fixture(t, "aks-prod", "u"))
	sha256sumCheck(t, dir)
	write(t, dir, Options{Force: true}, fixture(t, "east", "a"), fixture(t, "west", "b"))
	intact(t, dir)
}

// A read-only volume is refused by Preflight, before the cluster is read.
func TestReadOnlyMountRefusedByPreflight(t *testing.T) {
	dir := mountTmpfs(t, syscall.MS_RDONLY)
	if err := Preflight(dir, false); err == nil || !strings.Contains(err.Error(), "cannot be written") {
		t.Errorf("want it refused: %v", err)
	}
}
