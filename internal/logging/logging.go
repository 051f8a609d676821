// Package logging builds the zap logger from configuration.
package logging

import (
	"fmt"
	"io"
	"os"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"gopkg.in/natefinch/lumberjack.v2"

	"github.com/oceanops/adplatform/internal/config"
)

// New returns a logger writing to stdout or to a rotated file, as JSON or
// console text, at the configured level. The returned close func flushes
// buffers and closes the file.
func New(c config.Logger) (*zap.Logger, func() error, error) {
	var w io.Writer = os.Stdout
	closer := func() error { return nil }
	if c.Output == "file" {
		lj := &lumberjack.Logger{Filename: c.Filename, MaxSize: c.MaxSizeMB, MaxBackups: c.MaxBackups, MaxAge: c.MaxAgeDays, Compress: true}
		w, closer = lj, lj.Close
	}
	return NewWriter(c, w, closer)
}

// NewWriter is New with an explicit destination (tests).
func NewWriter(c config.Logger, w io.Writer, closer func() error) (*zap.Logger, func() error, error) {
	level, err := zapcore.ParseLevel(c.Level)
	if err != nil {
		return nil, nil, fmt.Errorf("logging: level %q: %w", c.Level, err)
	}
	encCfg := zap.NewProductionEncoderConfig()
	encCfg.TimeKey = "ts"
	encCfg.EncodeTime = zapcore.ISO8601TimeEncoder
	encCfg.EncodeDuration = zapcore.MillisDurationEncoder
	var enc zapcore.Encoder
	switch c.Format {
	case "console":
		encCfg.EncodeLevel = zapcore.CapitalColorLevelEncoder
		enc = zapcore.NewConsoleEncoder(encCfg)
	case "json", "":
		enc = zapcore.NewJSONEncoder(encCfg)
	default:
		return nil, nil, fmt.Errorf("logging: unknown format %q", c.Format)
	}
	ws := zapcore.AddSync(w)
	core := zapcore.NewCore(enc, ws, level)
	logger := zap.New(core, zap.AddCaller(), zap.AddStacktrace(zapcore.DPanicLevel))
	return logger, func() error {
		_ = logger.Sync() // stdout sync fails on some terminals; nothing to do about it
		return closer()
	}, nil
}
