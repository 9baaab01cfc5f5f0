// Command ferretdb runs FerretDB v1 (MongoDB wire protocol on SQLite) embedded
// as a library, which avoids the version.txt start-up panic of a plain
// `go install` build. Flags: -listen 127.0.0.1:27017 -data <dir>.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on")
	dataDir := flag.String("data", ".data/ferretdb", "directory for the SQLite files")
	logLevel := flag.String("log-level", "error", "debug, info, warn or error")
	flag.Parse()
	tuneGarbageCollector()

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fail(err)
	}
	// Connection lines (info) and protocol chatter such as the driver's endSessions (warn) would drown the other services' output.
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	abs, err := filepath.Abs(*dataDir)
	if err != nil {
		fail(err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		fail(err)
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Handler:   "sqlite",
		// WAL (FerretDB's default) with synchronous=normal: a commit no longer fsyncs while it holds
		// SQLite's single write lock, which made concurrent writers queue on the busy handler's sleeps.
		// A killed process loses nothing; a power cut may drop the last commits (a local server).
		SQLiteURL: "file:" + abs + "/?_pragma=synchronous(normal)",
		Logger:    logger,
	})
	if err != nil {
		fail(err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	fmt.Printf("ferretdb listening on %s, data in %s\n", *listen, abs)
	if err := f.Run(ctx); err != nil && ctx.Err() == nil {
		fail(err)
	}
}

// tuneGarbageCollector lets the heap grow to 5x what is live between collections (Go's default is
// 2x), under a soft limit of 1 GiB, unless GOGC or GOMEMLIMIT say otherwise. Every returned
// document is decoded into short-lived objects: with the default, a CPU profile of pages of 100
// cases showed 17 % of the time in the collector, and pages took about a quarter longer.
func tuneGarbageCollector() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(1 << 30)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "ferretdb:", err)
	os.Exit(1)
}
