package app

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/config"
	"github.com/oceanops/adplatform/internal/logging"
)

// Exit codes of the binaries.
const (
	ExitOK     = 0
	ExitError  = 1 // runtime failure
	ExitConfig = 2 // bad flags or configuration
)

// DefaultConfigPath is used when neither -c nor CONFIG_PATH is given.
const DefaultConfigPath = "config/config.yaml"

// Flags are the flags every binary shares.
type Flags struct {
	ConfigPath string
	Version    bool
}

// Register adds -c/-config and -version to fs.
func (f *Flags) Register(fs *flag.FlagSet) {
	def := os.Getenv("CONFIG_PATH")
	if def == "" {
		def = DefaultConfigPath
	}
	fs.StringVar(&f.ConfigPath, "c", def, "config file (or env CONFIG_PATH)")
	fs.StringVar(&f.ConfigPath, "config", def, "config file (same as -c)")
	fs.BoolVar(&f.Version, "version", false, "print version and exit")
}

// LoadConfig loads and validates the config, printing one line naming the
// bad key to stderr on failure.
func LoadConfig(path string, stderr io.Writer) (config.Config, bool) {
	cfg, err := config.Load(path, os.Getenv)
	if err != nil {
		fmt.Fprintln(stderr, oneLine(err))
		return cfg, false
	}
	return cfg, true
}

// NewLogger builds the configured logger, printing failures to stderr.
func NewLogger(cfg config.Config, stderr io.Writer) (*zap.Logger, func() error, bool) {
	log, closeLog, err := logging.New(cfg.Logger)
	if err != nil {
		fmt.Fprintln(stderr, oneLine(err))
		return nil, nil, false
	}
	return log, closeLog, true
}

func oneLine(err error) string {
	msg := err.Error()
	for i := range msg {
		if msg[i] == '\n' {
			return msg[:i]
		}
	}
	return msg
}

// ErrUsage marks command-line misuse.
var ErrUsage = errors.New("usage")
