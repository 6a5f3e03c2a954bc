package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiserveroptions "k8s.io/apiserver/pkg/server/options"
	"k8s.io/apiserver/pkg/util/compatibility"
	cliflag "k8s.io/component-base/cli/flag"
	componentbaseconfig "k8s.io/component-base/config"
	"k8s.io/component-base/logs"
	"k8s.io/component-base/metrics"
	schedulerapp "k8s.io/kubernetes/cmd/kube-scheduler/app"
	scheduleroptions "k8s.io/kubernetes/cmd/kube-scheduler/app/options"
)

// startScheduler runs the real kube-scheduler in-process, with its default profile, no leader
// election and no serving port, configured by a KubeSchedulerConfiguration file that points it at
// the admin kubeconfig.
func (e *env) startScheduler(ctx context.Context, dir string) error {
	configFile := filepath.Join(dir, "kube-scheduler.yaml")
	config := fmt.Sprintf(`apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
clientConnection:
  kubeconfig: %q
leaderElection:
  leaderElect: false
`, e.kubeconfig)
	if err := os.WriteFile(configFile, []byte(config), 0o600); err != nil {
		return err
	}
	// The fields NewOptions sets, without its flag sets: adding the feature gates to a second flag
	// set panics once the API server has added them to its own.
	secure := apiserveroptions.NewSecureServingOptions().WithLoopback()
	secure.BindPort = 0
	secure.ServerCert.PairName = "kube-scheduler"
	opts := &scheduleroptions.Options{
		SecureServing:  secure,
		Authentication: apiserveroptions.NewDelegatingAuthenticationOptions(),
		Authorization:  apiserveroptions.NewDelegatingAuthorizationOptions(),
		Deprecated:     &scheduleroptions.DeprecatedOptions{PodMaxInUnschedulablePodsDuration: 5 * time.Minute},
		LeaderElection: &componentbaseconfig.LeaderElectionConfiguration{
			LeaderElect:   false,
			LeaseDuration: metav1.Duration{Duration: 15 * time.Second},
			RenewDeadline: metav1.Duration{Duration: 10 * time.Second},
			RetryPeriod:   metav1.Duration{Duration: 2 * time.Second},
			ResourceLock:  "leases",
		},
		Metrics:                  metrics.NewOptions(),
		Logs:                     logs.NewOptions(),
		ComponentGlobalsRegistry: compatibility.DefaultComponentGlobalsRegistry,
		ConfigFile:               configFile,
		Flags:                    &cliflag.NamedFlagSets{},
	}
	opts.Authentication.RemoteKubeConfigFileOptional = true
	opts.Authorization.RemoteKubeConfigFileOptional = true
	cc, sched, err := schedulerapp.Setup(ctx, opts)
	if err != nil {
		return err
	}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		// Run returns an error even on a clean stop ("finished without leader elect").
		if err := schedulerapp.Run(ctx, cc, sched); err != nil && ctx.Err() == nil {
			e.failed <- fmt.Errorf("kube-scheduler: %w", err)
		}
	}()
	return nil
}
