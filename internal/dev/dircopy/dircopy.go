package dircopy

import (
	"io/fs"
	"os"
	"path/filepath"
)

// Copy copies the folder src to dst, which need not exist. Files get mode
// 0644 and folders 0755 whatever the checkout gave them, so a copy is
// writable even from a read-only checkout.
func Copy(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
}
