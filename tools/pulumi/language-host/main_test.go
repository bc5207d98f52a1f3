package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/structpb"
)

// program writes an executable shell script standing in for the Rust program and returns the
// program info that names it as runtime.options.binary.
func program(t *testing.T, script string) *pulumirpc.ProgramInfo {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "prog"), []byte("#!/bin/sh\n"+script), 0o755); err != nil {
		t.Fatal(err)
	}
	options, err := structpb.NewStruct(map[string]any{"binary": "prog"})
	if err != nil {
		t.Fatal(err)
	}
	return &pulumirpc.ProgramInfo{RootDirectory: dir, ProgramDirectory: dir, Options: options}
}

func TestPackagesComeFromGetPackages(t *testing.T) {
	info := program(t, `[ "$1" = get-packages ] && echo '[{"name":"aws","version":"7.51.1"}]' > "$2"`)
	response, err := (&rustHost{}).GetRequiredPackages(context.Background(),
		&pulumirpc.GetRequiredPackagesRequest{Info: info})
	if err != nil {
		t.Fatal(err)
	}
	packages := response.GetPackages()
	if len(packages) != 1 || packages[0].Name != "aws" || packages[0].Version != "7.51.1" ||
		packages[0].Kind != "resource" {
		t.Fatalf("unexpected packages %v", packages)
	}
}

func TestExit32BailsAndOtherCodesAreErrors(t *testing.T) {
	host := &rustHost{}
	host.setEngineAddress("127.0.0.1:1")
	for _, c := range []struct {
		script string
		bail   bool
		error  bool
	}{
		{"exit 0", false, false},
		{"exit 32", true, false},
		{"exit 3", false, true},
		{`[ -n "$PULUMI_MONITOR" ] && [ "$PULUMI_ENGINE" = 127.0.0.1:1 ] && [ "$PULUMI_DRY_RUN" = true ] || exit 4`, false, false},
	} {
		request := &pulumirpc.RunRequest{Info: program(t, c.script), MonitorAddress: "127.0.0.1:2",
			DryRun: true, Pwd: t.TempDir()}
		response, err := host.Run(context.Background(), request)
		if err != nil {
			t.Fatal(err)
		}
		if response.GetBail() != c.bail || (response.GetError() != "") != c.error {
			t.Fatalf("%q: bail %v error %q", c.script, response.GetBail(), response.GetError())
		}
	}
}

func TestAMissingBinarySaysHowToBuildIt(t *testing.T) {
	options, _ := structpb.NewStruct(map[string]any{"binary": "target/release/absent"})
	info := &pulumirpc.ProgramInfo{RootDirectory: t.TempDir(), Options: options}
	_, err := binaryOf(info)
	if err == nil || !strings.Contains(err.Error(), "cargo build --release") {
		t.Fatalf("unexpected error %v", err)
	}
}
