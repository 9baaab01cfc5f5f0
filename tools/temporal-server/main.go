// Command temporal-server runs the Temporal server (go.temporal.io/server, pinned in go.mod) one
// service per process, as a production cluster does, and sets up its PostgreSQL schema with the
// server's own SQL tool. It exists because the tests otherwise only see the CLI's single-process dev
// server on SQLite; there is no Docker engine here to run Temporal's images.
//
//	temporal-server start --config <dir> --env <name> --service frontend|history|matching|worker
//	temporal-server sql <temporal-sql-tool arguments>   (setup-schema, update-schema, create-database, …)
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	_ "time/tzdata" // the server's own binary embeds the zone database too, for schedules' time zones

	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/log"
	// Only PostgreSQL: the plugins register themselves with the persistence layer on import.
	_ "go.temporal.io/server/common/persistence/sql/sqlplugin/postgresql"
	"go.temporal.io/server/temporal"
	"go.temporal.io/server/tools/sql"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	switch os.Args[1] {
	case "start":
		start(os.Args[2:])
	case "sql":
		// The same entry point as the server's cmd/tools/sql (temporal-sql-tool), schema files included:
		// --schema-name postgresql/v12/temporal reads the versioned SQL the module embeds.
		if err := sql.RunTool(append([]string{"temporal-sql-tool"}, os.Args[2:]...)); err != nil {
			os.Exit(1)
		}
	default:
		usage()
	}
}

// serviceList collects repeated --service flags.
type serviceList []string

func (s *serviceList) String() string     { return strings.Join(*s, ",") }
func (s *serviceList) Set(v string) error { *s = append(*s, v); return nil }

// start is the server's cmd/server `start` without its deprecated flags and pluggable
// authorizers: the cluster of the tests runs without auth on 127.0.0.1.
func start(args []string) {
	flags := flag.NewFlagSet("start", flag.ExitOnError)
	configDir := flags.String("config", "config", "directory of the YAML configuration")
	env := flags.String("env", "development", "configuration file name without .yaml")
	var services serviceList
	flags.Var(&services, "service", "service to run (frontend, history, matching, worker); repeatable")
	_ = flags.Parse(args)
	if len(services) == 0 {
		fail(fmt.Errorf("start: at least one --service is required"))
	}

	cfg, err := config.Load(config.WithEnv(*env), config.WithConfigDir(*configDir))
	if err != nil {
		fail(fmt.Errorf("loading configuration: %w", err))
	}
	logger := log.NewZapLogger(log.BuildZapLogger(cfg.Log))
	authorizer, err := authorization.GetAuthorizerFromConfig(&cfg.Global.Authorization)
	if err != nil {
		fail(err)
	}
	server, err := temporal.NewServer(
		temporal.ForServices(services),
		temporal.WithConfig(cfg),
		temporal.WithLogger(logger),
		// SIGINT/SIGTERM stop the services gracefully (ManagedProcess.stop sends SIGTERM first).
		temporal.InterruptOn(temporal.InterruptCh()),
		temporal.WithAuthorizer(authorizer),
	)
	if err != nil {
		fail(fmt.Errorf("creating server: %w", err))
	}
	if err := server.Start(); err != nil {
		fail(fmt.Errorf("starting server: %w", err))
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: temporal-server start --config <dir> --env <name> --service <name> | temporal-server sql <args>")
	os.Exit(2)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "temporal-server:", err)
	os.Exit(1)
}
