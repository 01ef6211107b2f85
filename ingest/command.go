package ingest

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	stratapb "github.com/stratadb/strata/proto"
)

// EncodeCommand serialises a command for the Raft log.
func EncodeCommand(c *stratapb.Command) ([]byte, error) {
	b, err := proto.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encode command: %w", err)
	}
	return b, nil
}

// WriteCommand builds the command of one ingest batch.
func WriteCommand(table, producer string, seq uint64, payload []byte) *stratapb.Command {
	return &stratapb.Command{Kind: &stratapb.Command_Write{Write: &stratapb.WriteCommand{
		Table: table, ProducerId: producer, Sequence: seq, ArrowIpc: payload,
	}}}
}

// RejectedWriteCommand spends a producer's sequence on a batch the leader
// refused before it entered the log; the FSM records why as the batch's
// final error.
func RejectedWriteCommand(table, producer string, seq uint64, why string) *stratapb.Command {
	return &stratapb.Command{Kind: &stratapb.Command_Write{Write: &stratapb.WriteCommand{
		Table: table, ProducerId: producer, Sequence: seq, Rejected: why,
	}}}
}

// CreateTableCommand builds a CREATE TABLE command.
func CreateTableCommand(t *stratapb.TableDef, ifNotExists bool) *stratapb.Command {
	return &stratapb.Command{Kind: &stratapb.Command_CreateTable{CreateTable: &stratapb.CreateTableCommand{Table: t, IfNotExists: ifNotExists}}}
}

// DropTableCommand builds a DROP TABLE command.
func DropTableCommand(name string, ifExists bool) *stratapb.Command {
	return &stratapb.Command{Kind: &stratapb.Command_DropTable{DropTable: &stratapb.DropTableCommand{Name: name, IfExists: ifExists}}}
}

// RollbackCommand builds a rollback command.
func RollbackCommand(table string, to uint64) *stratapb.Command {
	return &stratapb.Command{Kind: &stratapb.Command_Rollback{Rollback: &stratapb.RollbackCommand{Table: table, ToVersion: to}}}
}

// SetMemberCommand builds the command that records member m's addresses
// (replacing an earlier record with the same node ID) or, with remove,
// deletes the record of m.NodeId. It is not ignorable: a node that skipped
// it would serve a stale member registry.
func SetMemberCommand(m *stratapb.Member, remove bool) *stratapb.Command {
	return &stratapb.Command{Kind: &stratapb.Command_SetMember{SetMember: &stratapb.SetMemberCommand{Member: m, Remove: remove}}}
}

// CreatePipelineCommand builds the command that creates a Kafka pipeline
// (stopped) and, when missing, its errors table.
func CreatePipelineCommand(def *stratapb.PipelineDef, ifNotExists bool) *stratapb.Command {
	return &stratapb.Command{Kind: &stratapb.Command_CreatePipeline{CreatePipeline: &stratapb.CreatePipelineCommand{Pipeline: def, IfNotExists: ifNotExists}}}
}

// DropPipelineCommand builds the command that drops a pipeline and its
// offsets (not the rows it wrote).
func DropPipelineCommand(name string, ifExists bool) *stratapb.Command {
	return &stratapb.Command{Kind: &stratapb.Command_DropPipeline{DropPipeline: &stratapb.DropPipelineCommand{Name: name, IfExists: ifExists}}}
}

// SetPipelineStateCommand builds the command that starts (running) or
// stops a pipeline; stopping with errText puts it in state "error".
func SetPipelineStateCommand(name string, running bool, errText string) *stratapb.Command {
	return &stratapb.Command{Kind: &stratapb.Command_SetPipelineState{SetPipelineState: &stratapb.SetPipelineStateCommand{Name: name, Running: running, Error: errText}}}
}

// PipelineBatchCommand wraps a pipeline batch (one partition's offset range,
// its rows and bad records) in a command.
func PipelineBatchCommand(b *stratapb.PipelineBatchCommand) *stratapb.Command {
	return &stratapb.Command{Kind: &stratapb.Command_PipelineBatch{PipelineBatch: b}}
}
