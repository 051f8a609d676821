package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

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

// Command is what a binary does around its work: the flags (-c/-config,
// -version), the config, the logger, a context that SIGINT and SIGTERM
// end, and the exit code.
type Command struct {
	Build Build
	// Usage is the usage line, printed with the flag defaults on misuse.
	Usage string
	// Args checks the arguments after the flags before the config is
	// loaded; false is misuse (the usage line alone). Nil: any.
	Args func(args []string) bool
	// Early runs once the config is loaded, before the logger exists; true
	// means it did the work (ExitOK). Nil: nothing.
	Early func(cfg config.Config, args []string, stdout io.Writer) bool
	// Run does the work. ErrUsage itself prints the usage; an error that
	// wraps it is printed as it is; both are misuse (ExitConfig).
	Run func(ctx context.Context, cfg config.Config, log *zap.Logger, args []string) error
}

// Main runs the command on the process's arguments and returns the exit code.
func (c Command) Main(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(c.Build.Component, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f Flags
	f.Register(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, c.Usage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return ExitConfig
	}
	if f.Version {
		fmt.Fprintf(stdout, "%s %s (built %s)\n", c.Build.Component, c.Build.Version, c.Build.BuildTime)
		return ExitOK
	}
	if c.Args != nil && !c.Args(fs.Args()) {
		fmt.Fprintln(stderr, c.Usage)
		return ExitConfig
	}
	cfg, ok := LoadConfig(f.ConfigPath, stderr)
	if !ok {
		return ExitConfig
	}
	if c.Early != nil && c.Early(cfg, fs.Args(), stdout) {
		return ExitOK
	}
	log, closeLog, ok := NewLogger(cfg, stderr)
	if !ok {
		return ExitConfig
	}
	defer closeLog() //nolint:errcheck // nothing to do if flushing the log fails at exit

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	err := c.Run(ctx, cfg, log, fs.Args())
	switch {
	case err == ErrUsage: //nolint:errorlint // ErrUsage itself, not an error wrapping it
		fs.Usage()
		return ExitConfig
	case errors.Is(err, ErrUsage):
		fmt.Fprintln(stderr, err)
		return ExitConfig
	case err != nil:
		log.Error("exit", zap.Error(err))
		return ExitError
	}
	return ExitOK
}
