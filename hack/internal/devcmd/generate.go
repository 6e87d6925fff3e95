package devcmd

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// Generator is the main of a generator command: it writes the files
// generate returns, by name, into the folder -out names (out unless told).
func Generator(out, usage string, generate func(context.Context) (map[string][]byte, error)) {
	dir := flag.String("out", out, usage)
	flag.Parse()
	Main(func() error {
		files, err := generate(context.Background())
		if err != nil {
			return err
		}
		return WriteFiles(*dir, files)
	})
}

// ModuleDir asks the go command where module@version lives, downloading it
// through the module proxy if needed. It runs outside any module so it never
// touches the project's go.mod or go.sum.
func ModuleDir(ctx context.Context, module, version string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", "mod", "download", "-json", module+"@"+version)
	cmd.Dir = os.TempDir()
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GO111MODULE=on")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var info struct{ Dir, Error string }
	if err := json.Unmarshal(stdout.Bytes(), &info); err != nil || info.Error != "" || runErr != nil || info.Dir == "" {
		msg := strings.TrimSpace(info.Error + " " + stderr.String())
		return "", fmt.Errorf("go mod download %s@%s: %s", module, version, msg)
	}
	return info.Dir, nil
}
