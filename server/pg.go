package server

import (
	"fmt"

	"github.com/stratadb/strata/server/pgwire"
)

// listenPG starts the PostgreSQL wire protocol endpoint (unless "off").
func (n *Node) listenPG() error {
	if n.cfg.PGAddr == "off" {
		return nil
	}
	pg, err := pgwire.Listen(pgwire.Options{
		Addr:            n.cfg.PGAddr,
		Logger:          n.log.With("component", "pgwire"),
		Password:        n.cfg.PGPassword,
		ServerVersion:   n.pgServerVersion(),
		MaxMessageBytes: n.cfg.MaxMessageBytes,
	}, n)
	if err != nil {
		return fmt.Errorf("PostgreSQL listen: %w", err)
	}
	n.pg = pg
	return nil
}

// PGAddr is the PostgreSQL endpoint's bound address ("" when off).
func (n *Node) PGAddr() string {
	if n.pg == nil {
		return ""
	}
	return n.pg.Addr()
}
