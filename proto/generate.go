package stratapb

// Regenerate the Go code from strata.proto (needs protoc, Debian's
// protobuf-compiler, and the two plugins at the pinned versions):
//
//	go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
//	go install google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.6.2
//go:generate protoc --go_out=. --go_opt=paths=source_relative --go-grpc_out=. --go-grpc_opt=paths=source_relative strata.proto
