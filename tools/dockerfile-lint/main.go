// Command dockerfile-lint runs the checks `docker build --check` runs, without a Docker engine.
//
// It calls BuildKit's own Dockerfile frontend (dockerfile2llb.DockerfileLint: the parser, the
// instruction parser and every non-experimental linter rule, the same code a BuildKit daemon runs
// for `--check`). The one difference: no registry is reached, so base-image metadata comes from an
// offline resolver that answers every image with a non-empty Linux image of the requested
// platform whose only environment variable is PATH.
//
// Usage:
//
//	dockerfile-lint [-json] [-outline] [-platform linux/amd64] [-build-arg K=V]... Dockerfile
//	dockerfile-lint -context-files DIR
//
// Prints findings like `docker build --check` does and exits 1 when there is any (a warning or a
// build error), 0 when there is none. -json prints the BuildKit lint result as JSON instead.
// -outline prints the parsed stages and their instructions as JSON (exit 0) so tests can check
// policy (base images, USER, ENTRYPOINT) on the parser's view of the file rather than on regexes.
// -context-files DIR prints the files of the build context DIR that DIR/.dockerignore lets through
// (BuildKit's own pattern matcher), one path a line, sorted.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/frontend/subrequests/lint"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
	"github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

type buildArgs map[string]string

func (b buildArgs) String() string { return fmt.Sprint(map[string]string(b)) }
func (b buildArgs) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok {
		return fmt.Errorf("build arg %q: want KEY=VALUE", v)
	}
	b[k] = val
	return nil
}

func main() {
	asJSON := flag.Bool("json", false, "print the lint result as JSON")
	outline := flag.Bool("outline", false, "print the parsed stages and instructions as JSON; no lint")
	platform := flag.String("platform", "linux/amd64", "target platform")
	args := buildArgs{}
	flag.Var(args, "build-arg", "KEY=VALUE build argument (repeatable)")
	contextDir := flag.String("context-files", "", "print the files of this build context that .dockerignore keeps")
	flag.Parse()
	if *contextDir != "" {
		if err := printContextFiles(os.Stdout, *contextDir); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: dockerfile-lint [-json] [-outline] [-platform P] [-build-arg K=V]... Dockerfile")
		os.Exit(2)
	}
	path := flag.Arg(0)
	dt, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if *outline {
		if err := printOutline(os.Stdout, dt); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	plat, err := platforms.Parse(*platform)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	results, err := runLint(context.Background(), filepath.Base(path), dt, plat, args)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(results); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	} else {
		if err := results.PrintTo(os.Stdout, nil); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		if results.Error != nil {
			results.PrintErrorTo(os.Stdout, nil)
		}
		if len(results.Warnings) == 0 && results.Error == nil {
			fmt.Println("Check complete, no warnings found.")
		}
	}
	if len(results.Warnings) > 0 || results.Error != nil {
		os.Exit(1)
	}
}

func runLint(ctx context.Context, name string, dt []byte, plat ocispecs.Platform, args map[string]string) (*lint.LintResults, error) {
	main := llb.Scratch()
	src := llb.Local("dockerfile")
	def, err := src.Marshal(ctx)
	if err != nil {
		return nil, err
	}
	sourceMap := llb.NewSourceMap(&src, name, "Dockerfile", dt)
	sourceMap.Definition = def
	opt := dockerfile2llb.ConvertOpt{
		Config: dockerui.Config{
			BuildArgs:       args,
			TargetPlatforms: []ocispecs.Platform{plat},
			BuildPlatforms:  []ocispecs.Platform{plat},
		},
		MainContext:  &main,
		SourceMap:    sourceMap,
		MetaResolver: offlineResolver{},
	}
	return dockerfile2llb.DockerfileLint(ctx, dt, opt)
}

// offlineResolver answers every base image without a registry: a Linux image of the requested
// platform with one layer and PATH set, which is what every image this repository uses has.
type offlineResolver struct{}

func (offlineResolver) ResolveImageConfig(_ context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	p := platforms.DefaultSpec()
	if opt.ImageOpt != nil && opt.ImageOpt.Platform != nil {
		p = *opt.ImageOpt.Platform
	}
	img := map[string]any{
		"architecture": p.Architecture,
		"os":           p.OS,
		"variant":      p.Variant,
		"config": map[string]any{
			"Env": []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
		},
		"rootfs": map[string]any{
			"type":     "layers",
			"diff_ids": []string{digest.FromString(ref).String()},
		},
	}
	dt, err := json.Marshal(img)
	if err != nil {
		return "", "", nil, err
	}
	return ref, "", dt, nil
}

type outlineCommand struct {
	Name     string   `json:"name"`
	Original string   `json:"original"`
	Line     int      `json:"line"`
	Args     []string `json:"args,omitempty"`
	Shell    bool     `json:"shell"`
	Flags    []string `json:"flags,omitempty"`
}

type outlineStage struct {
	Name     string           `json:"name"`
	Base     string           `json:"base"`
	Platform string           `json:"platform,omitempty"`
	Commands []outlineCommand `json:"commands"`
}

type outlineFile struct {
	GlobalArgs []string       `json:"globalArgs"`
	Stages     []outlineStage `json:"stages"`
}

func printOutline(w io.Writer, dt []byte) error {
	res, err := parser.Parse(strings.NewReader(string(dt)))
	if err != nil {
		return err
	}
	flags := map[int][]string{}
	shell := map[int]bool{}
	for _, n := range res.AST.Children {
		flags[n.StartLine] = n.Flags
		shell[n.StartLine] = !n.Attributes["json"]
	}
	stages, metaArgs, err := instructions.Parse(res.AST, nil)
	if err != nil {
		return err
	}
	out := outlineFile{GlobalArgs: []string{}, Stages: []outlineStage{}}
	for _, a := range metaArgs {
		for _, kv := range a.Args {
			out.GlobalArgs = append(out.GlobalArgs, kv.Key)
		}
	}
	for _, s := range stages {
		st := outlineStage{Name: s.Name, Base: s.BaseName, Platform: s.Platform, Commands: []outlineCommand{}}
		for _, c := range s.Commands {
			line := 0
			if loc := c.Location(); len(loc) > 0 {
				line = loc[0].Start.Line
			}
			oc := outlineCommand{Name: c.Name(), Line: line, Shell: shell[line], Flags: flags[line]}
			if o, ok := c.(interface{ String() string }); ok {
				oc.Original = o.String()
			}
			switch cmd := c.(type) {
			case *instructions.RunCommand:
				oc.Args = cmd.CmdLine
			case *instructions.EntrypointCommand:
				oc.Args = cmd.CmdLine
			case *instructions.CmdCommand:
				oc.Args = cmd.CmdLine
			case *instructions.UserCommand:
				oc.Args = []string{cmd.User}
			case *instructions.WorkdirCommand:
				oc.Args = []string{cmd.Path}
			case *instructions.ExposeCommand:
				oc.Args = cmd.Ports
			case *instructions.CopyCommand:
				oc.Args = append(append([]string{}, cmd.SourcePaths...), cmd.DestPath)
			case *instructions.EnvCommand:
				for _, kv := range cmd.Env {
					oc.Args = append(oc.Args, kv.Key+"="+kv.Value)
				}
			case *instructions.LabelCommand:
				for _, kv := range cmd.Labels {
					oc.Args = append(oc.Args, kv.Key+"="+kv.Value)
				}
			case *instructions.ArgCommand:
				for _, kv := range cmd.Args {
					oc.Args = append(oc.Args, kv.Key)
				}
			}
			st.Commands = append(st.Commands, oc)
		}
		out.Stages = append(out.Stages, st)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// printContextFiles walks dir as the docker CLI does when it sends a build context: a file is left
// out when .dockerignore's patterns match it or a parent directory.
func printContextFiles(w io.Writer, dir string) error {
	var patterns []string
	if f, err := os.Open(filepath.Join(dir, ".dockerignore")); err == nil {
		patterns, err = ignorefile.ReadAll(f)
		f.Close()
		if err != nil {
			return err
		}
	} else if !os.IsNotExist(err) {
		return err
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		return err
	}
	var files []string
	parents := map[string]patternmatcher.MatchInfo{}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil || rel == "." {
			return err
		}
		rel = filepath.ToSlash(rel)
		parent := parents[filepath.ToSlash(filepath.Dir(rel))]
		excluded, info, err := pm.MatchesUsingParentResults(rel, parent)
		if err != nil {
			return err
		}
		if d.IsDir() {
			// A directory is walked when it is kept or when a "!" pattern may keep something in it.
			if excluded && !pm.Exclusions() {
				return filepath.SkipDir
			}
			parents[rel] = info
			return nil
		}
		if !excluded {
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(files)
	for _, f := range files {
		fmt.Fprintln(w, f)
	}
	return nil
}
