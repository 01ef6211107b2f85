package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"google.golang.org/protobuf/encoding/protojson"

	stratapb "github.com/stratadb/strata/proto"
)

// pipelineCmd is `strata pipeline create|start|stop|drop|show`: Kafka
// pipelines through any member's gRPC address (writes are forwarded to
// the leader, which runs the pipelines).
func pipelineCmd() *cobra.Command {
	var rpc rpcFlags
	cmd := &cobra.Command{
		Use:   "pipeline",
		Short: "Create, start, stop, drop and show Kafka pipelines",
		Long: `pipeline manages Kafka pipelines: topics consumed into tables, exactly once.

  strata pipeline create --addr 127.0.0.1:7600 --name clicks --brokers k1:9092,k2:9092 \
      --topic clicks --table clicks --format json [--on-error skip|stop] \
      [--batch-records 10000] [--batch-wait 200ms]
  strata pipeline start --addr 127.0.0.1:7600 clicks
  strata pipeline stop  --addr 127.0.0.1:7600 clicks
  strata pipeline drop  --addr 127.0.0.1:7600 clicks
  strata pipeline show  --addr 127.0.0.1:7600 [--format table|json]

A new pipeline is stopped; start it to consume. The same is available in
SQL: CREATE PIPELINE, START PIPELINE, STOP PIPELINE, DROP PIPELINE,
SHOW PIPELINES.`,
	}
	rpc.add(cmd)
	call := rpc.call

	var def stratapb.PipelineDef
	var onError string
	var batchWait time.Duration
	var ifNotExists bool
	create := &cobra.Command{
		Use:   "create",
		Short: "Create a pipeline (stopped)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var missing []string
			for _, f := range []struct{ flag, v string }{{"--name", def.Name}, {"--brokers", def.Brokers}, {"--topic", def.Topic}, {"--table", def.Table}, {"--format", def.Format}} {
				if f.v == "" {
					missing = append(missing, f.flag)
				}
			}
			if len(missing) > 0 {
				return fmt.Errorf("create needs %s", strings.Join(missing, ", "))
			}
			switch strings.ToLower(onError) {
			case "skip":
				def.StopOnError = false
			case "stop":
				def.StopOnError = true
			default:
				return fmt.Errorf("--on-error %q: want skip or stop", onError)
			}
			if batchWait < 0 || batchWait > 0 && batchWait < time.Millisecond {
				return fmt.Errorf("--batch-wait %s: want at least 1ms (0: the default)", batchWait)
			}
			def.BatchWaitMs = int32(batchWait / time.Millisecond)
			return call(cmd, func(ctx context.Context, c stratapb.StrataClient) error {
				resp, err := c.CreatePipeline(ctx, &stratapb.CreatePipelineRequest{Pipeline: &def, IfNotExists: ifNotExists})
				if err != nil {
					return fmt.Errorf("create pipeline %s: %w", def.Name, err)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "created pipeline %s at version %d (%s); start it with strata pipeline start %s\n",
					def.Name, resp.GetVersion(), orDash(resp.GetPipeline().GetState()), def.Name)
				return nil
			})
		},
	}
	create.Flags().StringVar(&def.Name, "name", "", "the pipeline's name")
	create.Flags().StringVar(&def.Brokers, "brokers", "", "Kafka brokers, host:port[,host:port...]")
	create.Flags().StringVar(&def.Topic, "topic", "", "the topic to consume")
	create.Flags().StringVar(&def.Table, "table", "", "the table its records go into (it must exist)")
	create.Flags().StringVar(&def.Format, "format", "", "the records' format: json (an object, keys = columns) or csv (fields in column order)")
	create.Flags().StringVar(&onError, "on-error", "skip", "a bad record: skip (to the errors count) or stop the pipeline")
	create.Flags().Int32Var(&def.BatchRecords, "batch-records", 0, "most records of one partition in one write (0: the server's default)")
	create.Flags().DurationVar(&batchWait, "batch-wait", 0, "longest wait to fill a batch (0: the server's default)")
	create.Flags().BoolVar(&ifNotExists, "if-not-exists", false, "succeed if the pipeline exists already")

	state := func(verb string, rpc func(stratapb.StrataClient, context.Context, *stratapb.PipelineNameRequest) (*stratapb.PipelineResponse, error)) *cobra.Command {
		return &cobra.Command{
			Use:   verb + " NAME",
			Short: strings.ToUpper(verb[:1]) + verb[1:] + " a pipeline",
			Args:  cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				return call(cmd, func(ctx context.Context, c stratapb.StrataClient) error {
					resp, err := rpc(c, ctx, &stratapb.PipelineNameRequest{Name: args[0]})
					if err != nil {
						return fmt.Errorf("%s pipeline %s: %w", verb, args[0], err)
					}
					fmt.Fprintf(cmd.OutOrStdout(), "pipeline %s: %s at version %d\n", args[0], orDash(resp.GetPipeline().GetState()), resp.GetVersion())
					return nil
				})
			},
		}
	}
	start := state("start", func(c stratapb.StrataClient, ctx context.Context, r *stratapb.PipelineNameRequest) (*stratapb.PipelineResponse, error) {
		return c.StartPipeline(ctx, r)
	})
	stop := state("stop", func(c stratapb.StrataClient, ctx context.Context, r *stratapb.PipelineNameRequest) (*stratapb.PipelineResponse, error) {
		return c.StopPipeline(ctx, r)
	})

	var ifExists bool
	drop := &cobra.Command{
		Use:   "drop NAME",
		Short: "Drop a pipeline (its table and the rows it wrote stay)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return call(cmd, func(ctx context.Context, c stratapb.StrataClient) error {
				resp, err := c.DropPipeline(ctx, &stratapb.PipelineNameRequest{Name: args[0], IfExists: ifExists})
				if err != nil {
					return fmt.Errorf("drop pipeline %s: %w", args[0], err)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "dropped pipeline %s at version %d\n", args[0], resp.GetVersion())
				return nil
			})
		},
	}
	drop.Flags().BoolVar(&ifExists, "if-exists", false, "succeed if there is no such pipeline")

	var format string
	show := &cobra.Command{
		Use:   "show",
		Short: "Every pipeline's state, and each partition's offsets, lag, rows and errors",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "table" && format != "json" {
				return fmt.Errorf("--format %q: want table or json", format)
			}
			return call(cmd, func(ctx context.Context, c stratapb.StrataClient) error {
				resp, err := c.ListPipelines(ctx, &stratapb.ListPipelinesRequest{})
				if err != nil {
					return fmt.Errorf("list pipelines from %s: %w", rpc.addr, err)
				}
				if format == "json" {
					b, err := protojson.MarshalOptions{Multiline: true, UseProtoNames: true, EmitUnpopulated: true}.Marshal(resp)
					if err != nil {
						return err
					}
					fmt.Fprintln(cmd.OutOrStdout(), string(b))
					return nil
				}
				writePipelines(cmd.OutOrStdout(), resp.GetPipelines())
				return nil
			})
		},
	}
	show.Flags().StringVar(&format, "format", "table", "table or json")

	cmd.AddCommand(create, start, stop, drop, show)
	return cmd
}

// writePipelines prints one line per partition (one per pipeline without
// partitions), like SHOW PIPELINES.
func writePipelines(out io.Writer, ps []*stratapb.PipelineStatus) {
	if len(ps) == 0 {
		fmt.Fprintln(out, "no pipelines")
		return
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSTATE\tTOPIC\tTABLE\tPARTITION\tNEXT OFFSET\tHIGH WATERMARK\tLAG\tROWS\tERRORS\tERROR")
	for _, p := range ps {
		d := p.GetDef()
		if len(p.GetPartitions()) == 0 {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t-\t-\t-\t-\t-\t-\t%s\n", d.GetName(), p.GetState(), d.GetTopic(), d.GetTable(), orDash(p.GetError()))
			continue
		}
		for _, pt := range p.GetPartitions() {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\n", d.GetName(), p.GetState(), d.GetTopic(), d.GetTable(),
				pt.GetPartition(), pt.GetNextOffset(), pt.GetHighWatermark(), pt.GetLag(), pt.GetRows(), pt.GetErrors(), orDash(p.GetError()))
		}
	}
	tw.Flush()
}
