// Command pulumi-language-rust is the project's Pulumi language host for prebuilt Rust programs.
//
// The Pulumi CLI starts it for `runtime: rust` (Pulumi.yaml) with the engine's address as its last
// argument; it prints the port of its LanguageRuntime gRPC server on stdout. It honours the
// contract that pulumi-gestalt's rust host defines, so a Pulumi.yaml works with either:
//
//   - `runtime.options.binary` names the program (relative paths resolve against the project
//     directory); there is no build step: build with `cargo build --release` first.
//   - Before a run, the engine asks which packages the program needs: the host runs
//     `<binary> get-packages FILE` and reads the JSON array the program writes to FILE
//     (`[{"name":"aws","version":"7.51.1"}]`; optional keys kind, server).
//   - The program runs with no arguments; everything comes through the environment the Go SDK's
//     host also sets (PULUMI_MONITOR, PULUMI_ENGINE, PULUMI_CONFIG, PULUMI_DRY_RUN, ...).
//   - Exit code 32 means "the error was already logged through the engine": the run bails with
//     no second message. Any other non-zero exit is reported with its code.
//
// It was written for this project because neither documented host can be built from the package
// registries: pulumi-gestalt's links a Rust library outside its Go module, and the Go SDK's host
// (pulumi-language-go) is not served by the Go module proxy at any version.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// version is the host's own version, set with -ldflags "-X main.version=...".
var version = "0.1.0"

// exitLoggedError is the exit code by which a program says its error is already reported.
const exitLoggedError = 32

func main() {
	flags := flag.NewFlagSet("pulumi-language-rust", flag.ContinueOnError)
	// The engine may pass these; they are accepted and ignored.
	flags.String("tracing", "", "tracing endpoint (ignored)")
	flags.String("root", "", "project root (ignored)")
	showVersion := flags.Bool("version", false, "print the version and exit")
	if err := flags.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	if *showVersion {
		fmt.Println(version)
		return
	}
	host := &rustHost{}
	if args := flags.Args(); len(args) > 0 {
		host.setEngineAddress(args[len(args)-1])
	}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-rust: cannot serve: %v\n", err)
		os.Exit(1)
	}
	fmt.Println(handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-rust: %v\n", err)
		os.Exit(1)
	}
}

// rustHost implements the LanguageRuntime calls the engine makes for preview, up and destroy;
// the code-generation calls answer Unimplemented.
type rustHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	mu            sync.Mutex
	engineAddress string
}

func (h *rustHost) setEngineAddress(address string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.engineAddress = address
}

func (h *rustHost) engine() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.engineAddress
}

// Handshake records the engine's address (newer engines pass it here rather than as an argument).
func (h *rustHost) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	if req.GetEngineAddress() == "" {
		return nil, errors.New("the handshake must carry the engine address")
	}
	h.setEngineAddress(req.GetEngineAddress())
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

// GetPluginInfo reports the host's version.
func (h *rustHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

// binaryOf resolves `runtime.options.binary` of the program, relative to the project directory.
func binaryOf(info *pulumirpc.ProgramInfo) (string, error) {
	if info == nil {
		return "", errors.New("the request carries no program information")
	}
	option, ok := info.GetOptions().AsMap()["binary"].(string)
	if !ok || option == "" {
		return "", errors.New("Pulumi.yaml must set runtime.options.binary to the built program " +
			"(for example target/release/payments-platform)")
	}
	path := option
	if !filepath.IsAbs(path) {
		path = filepath.Join(info.GetRootDirectory(), path)
	}
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("the program %s (runtime.options.binary %q) does not exist: "+
			"build it first (cargo build --release)", path, option)
	}
	return path, nil
}

// packageEntry is one element of the JSON array `get-packages` writes.
type packageEntry struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Kind    string `json:"kind"`
	Server  string `json:"server"`
}

// requiredPackages runs `<binary> get-packages FILE` and reads FILE.
func requiredPackages(info *pulumirpc.ProgramInfo) ([]packageEntry, error) {
	binary, err := binaryOf(info)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "pulumi-language-rust-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "packages.json")
	cmd := exec.Command(binary, "get-packages", file)
	cmd.Dir = info.GetRootDirectory()
	if output, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("%s get-packages failed: %v: %s", binary, err, output)
	}
	text, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("%s get-packages wrote no file: %w", binary, err)
	}
	var entries []packageEntry
	if err := json.Unmarshal(text, &entries); err != nil {
		return nil, fmt.Errorf("%s get-packages wrote invalid JSON: %w", binary, err)
	}
	for i := range entries {
		if entries[i].Name == "" {
			return nil, fmt.Errorf("%s get-packages: entry %d has no name", binary, i)
		}
		if entries[i].Kind == "" {
			entries[i].Kind = "resource"
		}
	}
	return entries, nil
}

// GetRequiredPackages answers the packages the program names through `get-packages`.
func (h *rustHost) GetRequiredPackages(
	_ context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	entries, err := requiredPackages(req.GetInfo())
	if err != nil {
		return nil, err
	}
	packages := make([]*pulumirpc.PackageDependency, 0, len(entries))
	for _, e := range entries {
		packages = append(packages, &pulumirpc.PackageDependency{
			Name: e.Name, Kind: e.Kind, Version: e.Version, Server: e.Server,
		})
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: packages}, nil
}

// GetRequiredPlugins is the older form of GetRequiredPackages, for engines that still call it.
func (h *rustHost) GetRequiredPlugins(
	_ context.Context, req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	entries, err := requiredPackages(req.GetInfo())
	if err != nil {
		return nil, err
	}
	plugins := make([]*pulumirpc.PluginDependency, 0, len(entries))
	for _, e := range entries {
		plugins = append(plugins, &pulumirpc.PluginDependency{
			Name: e.Name, Kind: e.Kind, Version: e.Version, Server: e.Server,
		})
	}
	return &pulumirpc.GetRequiredPluginsResponse{Plugins: plugins}, nil
}

// programEnvironment is the environment of the program: this process's, plus the run's context
// in the variables the Pulumi SDKs read (each only when non-empty).
func (h *rustHost) programEnvironment(req *pulumirpc.RunRequest) ([]string, error) {
	env := os.Environ()
	add := func(key, value string) {
		if value != "" {
			env = append(env, key+"="+value)
		}
	}
	config := "{}"
	if len(req.GetConfig()) > 0 {
		text, err := json.Marshal(req.GetConfig())
		if err != nil {
			return nil, err
		}
		config = string(text)
	}
	secretKeys := []string{}
	if req.GetConfigSecretKeys() != nil {
		secretKeys = req.GetConfigSecretKeys()
	}
	secretText, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, err
	}
	add("PULUMI_ORGANIZATION", req.GetOrganization())
	add("PULUMI_PROJECT", req.GetProject())
	add("PULUMI_ROOT_DIRECTORY", req.GetInfo().GetRootDirectory())
	add("PULUMI_STACK", req.GetStack())
	add("PULUMI_CONFIG", config)
	add("PULUMI_CONFIG_SECRET_KEYS", string(secretText))
	add("PULUMI_DRY_RUN", strconv.FormatBool(req.GetDryRun()))
	add("PULUMI_PARALLEL", strconv.Itoa(int(req.GetParallel())))
	add("PULUMI_MONITOR", req.GetMonitorAddress())
	add("PULUMI_ENGINE", h.engine())
	add("PULUMI_PWD", req.GetPwd())
	return env, nil
}

// Run starts the program and waits for it; exit 32 bails (the program already logged its error).
func (h *rustHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	binary, err := binaryOf(req.GetInfo())
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	env, err := h.programEnvironment(req)
	if err != nil {
		return nil, fmt.Errorf("cannot prepare the program's environment: %w", err)
	}
	cmd := exec.CommandContext(ctx, binary)
	cmd.Dir = req.GetPwd()
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return &pulumirpc.RunResponse{}, nil
	case errors.As(err, &exit) && exit.ExitCode() == exitLoggedError:
		return &pulumirpc.RunResponse{Bail: true}, nil
	case errors.As(err, &exit):
		return &pulumirpc.RunResponse{
			Error: fmt.Sprintf("program %s exited with code %d", binary, exit.ExitCode()),
		}, nil
	default:
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("cannot run %s: %v", binary, err)}, nil
	}
}

// InstallDependencies has nothing to install: the program is a prebuilt binary.
func (h *rustHost) InstallDependencies(
	*pulumirpc.InstallDependenciesRequest,
	grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse],
) error {
	return nil
}

// RuntimeOptionsPrompts asks nothing during `pulumi new`.
func (h *rustHost) RuntimeOptionsPrompts(
	context.Context, *pulumirpc.RuntimeOptionsRequest,
) (*pulumirpc.RuntimeOptionsResponse, error) {
	return &pulumirpc.RuntimeOptionsResponse{}, nil
}

// About names the host (there is no interpreter behind a prebuilt binary).
func (h *rustHost) About(context.Context, *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	executable, err := os.Executable()
	if err != nil {
		executable = "pulumi-language-rust"
	}
	return &pulumirpc.AboutResponse{Executable: executable, Version: version}, nil
}

// GetProgramDependencies lists none: a prebuilt binary has no dependencies to report.
func (h *rustHost) GetProgramDependencies(
	context.Context, *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	return &pulumirpc.GetProgramDependenciesResponse{}, nil
}
