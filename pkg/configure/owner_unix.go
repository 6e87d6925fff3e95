//go:build unix

package configure

import (
	"io/fs"
	"os"
	"syscall"
)

// owner is who owns a file, so a rewritten file keeps its owner when we may set it.
type owner struct {
	uid, gid int
	known    bool
}

func ownerOf(info fs.FileInfo) owner {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return owner{uid: int(st.Uid), gid: int(st.Gid), known: true}
	}
	return owner{}
}

// restoreOwner is best effort: only root may give a file away, and a file we
// created already belongs to us, which is right for everyone else.
func restoreOwner(f *os.File, o owner) {
	if o.known && (o.uid != os.Geteuid() || o.gid != os.Getegid()) {
		_ = f.Chown(o.uid, o.gid)
	}
}
