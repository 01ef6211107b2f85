package server

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"google.golang.org/protobuf/proto"

	stratapb "github.com/stratadb/strata/proto"
)

// liveOffsetsTimeout bounds asking Kafka for a topic's offsets when
// showing pipelines: an unreachable broker must not hang SHOW PIPELINES.
const liveOffsetsTimeout = 2 * time.Second

// livePipelines is the stored pipelines with each partition's high
// watermark (the last stable offset: what read-committed consumers can
// read) and lag as Kafka reports them now, and the partitions no batch has
// come from yet (their next offset is where consuming will start: the
// partition's first offset). Where Kafka cannot be asked, the stored
// values stand.
func (n *Node) livePipelines(ctx context.Context) []*stratapb.PipelineStatus {
	ps := n.fsm.Pipelines()
	for i, p := range ps {
		ps[i] = withLiveOffsets(ctx, p)
	}
	return ps
}

func withLiveOffsets(ctx context.Context, p *stratapb.PipelineStatus) *stratapb.PipelineStatus {
	def := p.GetDef()
	ctx, cancel := context.WithTimeout(ctx, liveOffsetsTimeout)
	defer cancel()
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(def.GetBrokers(), ",")...))
	if err != nil {
		return p
	}
	defer cl.Close()
	end, err := listOffsets(ctx, cl, def.GetTopic(), -1)
	if err != nil {
		return p
	}
	start, err := listOffsets(ctx, cl, def.GetTopic(), -2)
	if err != nil {
		return p
	}
	p = proto.Clone(p).(*stratapb.PipelineStatus)
	seen := map[int32]bool{}
	for _, ps := range p.Partitions {
		seen[ps.GetPartition()] = true
		if hwm, ok := end[ps.GetPartition()]; ok {
			ps.HighWatermark = hwm
		}
	}
	for part, hwm := range end {
		if !seen[part] {
			p.Partitions = append(p.Partitions, &stratapb.PartitionStatus{Partition: part, NextOffset: start[part], HighWatermark: hwm})
		}
	}
	sort.Slice(p.Partitions, func(i, j int) bool { return p.Partitions[i].Partition < p.Partitions[j].Partition })
	for _, ps := range p.Partitions {
		ps.Lag = max(0, ps.HighWatermark-ps.NextOffset)
	}
	return p
}

// listOffsets is every partition's offset at timestamp ts (-1: the end,
// read-committed; -2: the start).
func listOffsets(ctx context.Context, cl *kgo.Client, topic string, ts int64) (map[int32]int64, error) {
	parts, err := topicPartitionsWith(ctx, cl, topic)
	if err != nil {
		return nil, err
	}
	req := kmsg.NewPtrListOffsetsRequest()
	req.IsolationLevel = 1
	rt := kmsg.NewListOffsetsRequestTopic()
	rt.Topic = topic
	for _, p := range parts {
		rp := kmsg.NewListOffsetsRequestTopicPartition()
		rp.Partition, rp.Timestamp = p, ts
		rt.Partitions = append(rt.Partitions, rp)
	}
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return nil, err
	}
	out := map[int32]int64{}
	for _, t := range resp.Topics {
		for _, p := range t.Partitions {
			if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
				return nil, err
			}
			out[p.Partition] = p.Offset
		}
	}
	return out, nil
}
