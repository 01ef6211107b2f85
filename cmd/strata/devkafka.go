package main

import (
	"context"
	"fmt"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/kfake"
)

// devKafkaCmd is `strata dev-kafka`: a small Kafka-protocol broker
// (franz-go's kfake) for trying pipelines and for the exactly-once script
// in examples/, not for production data.
func devKafkaCmd() *cobra.Command {
	var port int
	var dataDir string
	var topics []string
	var partitions int32
	cmd := &cobra.Command{
		Use:   "dev-kafka",
		Short: "Run a local Kafka-protocol broker for trying pipelines (franz-go's kfake; not for production)",
		Long: `dev-kafka runs a single Kafka-protocol broker in this process (franz-go's
kfake), so pipelines can be tried without a Kafka installation. Any Kafka
client works against it (kcat, franz-go, librdkafka). With --data-dir its
log survives a restart. Ctrl-C stops it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts := []kfake.Opt{kfake.NumBrokers(1), kfake.Ports(port), kfake.AllowAutoTopicCreation()}
			if dataDir != "" {
				opts = append(opts, kfake.DataDir(dataDir))
			}
			if len(topics) > 0 {
				opts = append(opts, kfake.SeedTopics(partitions, topics...))
			}
			k, err := kfake.NewCluster(opts...)
			if err != nil {
				return fmt.Errorf("start the broker: %w", err)
			}
			defer k.Close()
			fmt.Fprintf(cmd.OutOrStdout(), "Kafka-protocol broker on %s (topics: %s)\n", strings.Join(k.ListenAddrs(), ","), strings.Join(topics, ","))
			ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			<-ctx.Done()
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&port, "port", 9092, "listen port on 127.0.0.1")
	f.StringVar(&dataDir, "data-dir", "", "keep the log here (survives restarts); default in memory")
	f.StringSliceVar(&topics, "topic", nil, "topics to create at start")
	f.Int32Var(&partitions, "partitions", 4, "partitions of each --topic")
	return cmd
}
