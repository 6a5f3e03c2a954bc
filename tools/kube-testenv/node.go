package main

// The node stand-in: a Node named testenv-node and an agent that plays its kubelet, the way kwok
// stands in for nodes. It runs no container. It moves the pods bound to the node to the status a
// kubelet would report once their containers run (Running, every container ready, image and
// imageID), so the real controllers roll Deployments, StatefulSets and DaemonSets out; it finishes
// pods whose restartPolicy is not Always (Succeeded), so Jobs complete; it confirms graceful
// deletions (a kubelet's last word on a pod); and it serves the kubelet's port-forward API
// (kubelet.go).

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	goruntime "runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	listersv1 "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
)

const (
	nodeName = "testenv-node"
	// annotationPrefix marks the annotations the stand-in reads on pods.
	annotationPrefix = "kube-testenv.flux-ts.dev/"
	// failAnnotation names the containers (comma separated, or "*" for all) that fail: they show
	// as a kubelet shows a container in CrashLoopBackOff.
	failAnnotation = annotationPrefix + "fail"
	// forwardAnnotationPrefix + "<port>" gives the local address ("127.0.0.1:41234") that a
	// port-forward to the pod's <port> reaches.
	forwardAnnotationPrefix = annotationPrefix + "forward-"
)

type nodeAgent struct {
	client    kubernetes.Interface
	pods      listersv1.PodLister
	queue     workqueue.TypedRateLimitingInterface[string]
	nextIP    atomic.Uint32
	startedAt metav1.Time
}

// registerNode creates (or replaces the status of) the Node testenv-node: Ready, address
// 127.0.0.1, its kubelet endpoint on kubeletPort.
func registerNode(ctx context.Context, client kubernetes.Interface, kubeletPort int) error {
	capacity := corev1.ResourceList{
		corev1.ResourceCPU:              resource.MustParse("16"),
		corev1.ResourceMemory:           resource.MustParse("64Gi"),
		corev1.ResourcePods:             resource.MustParse("500"),
		corev1.ResourceEphemeralStorage: resource.MustParse("100Gi"),
	}
	now := metav1.Now()
	condition := func(t corev1.NodeConditionType, s corev1.ConditionStatus, reason, message string) corev1.NodeCondition {
		return corev1.NodeCondition{Type: t, Status: s, Reason: reason, Message: message, LastHeartbeatTime: now, LastTransitionTime: now}
	}
	status := corev1.NodeStatus{
		Capacity:    capacity,
		Allocatable: capacity,
		Phase:       corev1.NodeRunning,
		Conditions: []corev1.NodeCondition{
			condition(corev1.NodeMemoryPressure, corev1.ConditionFalse, "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
			condition(corev1.NodeDiskPressure, corev1.ConditionFalse, "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
			condition(corev1.NodePIDPressure, corev1.ConditionFalse, "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
			condition(corev1.NodeReady, corev1.ConditionTrue, "KubeletReady", "kube-testenv node stand-in is posting ready status"),
		},
		Addresses: []corev1.NodeAddress{
			{Type: corev1.NodeInternalIP, Address: "127.0.0.1"},
			{Type: corev1.NodeHostName, Address: nodeName},
		},
		DaemonEndpoints: corev1.NodeDaemonEndpoints{KubeletEndpoint: corev1.DaemonEndpoint{Port: int32(kubeletPort)}},
		NodeInfo: corev1.NodeSystemInfo{
			MachineID:               "kube-testenv",
			SystemUUID:              "kube-testenv",
			BootID:                  "kube-testenv",
			KernelVersion:           "kube-testenv",
			OSImage:                 "kube-testenv node stand-in",
			ContainerRuntimeVersion: "kube-testenv://" + kubeVersion(),
			KubeletVersion:          kubeVersion(),
			OperatingSystem:         "linux",
			Architecture:            goruntime.GOARCH,
		},
	}
	node := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name: nodeName,
			Labels: map[string]string{
				"kubernetes.io/hostname":  nodeName,
				"kubernetes.io/os":        "linux",
				"kubernetes.io/arch":      goruntime.GOARCH,
				"beta.kubernetes.io/os":   "linux",
				"beta.kubernetes.io/arch": goruntime.GOARCH,
				"type":                    "kube-testenv",
			},
		},
	}
	created, err := client.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		created, err = client.CoreV1().Nodes().Get(ctx, nodeName, metav1.GetOptions{})
	}
	if err != nil {
		return err
	}
	created.Status = status
	updated, err := client.CoreV1().Nodes().UpdateStatus(ctx, created, metav1.UpdateOptions{})
	if err != nil {
		return err
	}
	// The TaintNodesByCondition admission plugin taints a new node not-ready; the node lifecycle
	// controller lifts the taint once the node reports Ready. That controller watches heartbeats
	// this stand-in does not send, so it does not run; the stand-in lifts the taint itself.
	taints := slices.DeleteFunc(slices.Clone(updated.Spec.Taints), func(t corev1.Taint) bool {
		return strings.HasPrefix(t.Key, "node.kubernetes.io/")
	})
	if len(taints) != len(updated.Spec.Taints) {
		updated.Spec.Taints = taints
		_, err = client.CoreV1().Nodes().Update(ctx, updated, metav1.UpdateOptions{})
	}
	return err
}

func newNodeAgent(client kubernetes.Interface, factory informers.SharedInformerFactory) *nodeAgent {
	a := &nodeAgent{
		client:    client,
		pods:      factory.Core().V1().Pods().Lister(),
		queue:     workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[string]()),
		startedAt: metav1.Now(),
	}
	enqueue := func(obj any) {
		if key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj); err == nil {
			a.queue.Add(key)
		}
	}
	_, _ = factory.Core().V1().Pods().Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    enqueue,
		UpdateFunc: func(_, obj any) { enqueue(obj) },
	})
	return a
}

// nodePodsInformerFactory watches only the pods bound to testenv-node, as a kubelet does.
func nodePodsInformerFactory(client kubernetes.Interface) informers.SharedInformerFactory {
	return informers.NewSharedInformerFactoryWithOptions(client, 0, informers.WithTweakListOptions(func(o *metav1.ListOptions) {
		o.FieldSelector = fields.OneTermEqualSelector("spec.nodeName", nodeName).String()
	}))
}

func (a *nodeAgent) run(ctx context.Context, workers int) {
	defer a.queue.ShutDown()
	for range workers {
		go wait.UntilWithContext(ctx, func(ctx context.Context) {
			for a.next(ctx) {
			}
		}, time.Second)
	}
	<-ctx.Done()
}

func (a *nodeAgent) next(ctx context.Context) bool {
	key, quit := a.queue.Get()
	if quit {
		return false
	}
	defer a.queue.Done(key)
	if err := a.sync(ctx, key); err != nil {
		if ctx.Err() == nil {
			logf("node stand-in: pod %s: %v (retrying)", key, err)
		}
		a.queue.AddRateLimited(key)
		return true
	}
	a.queue.Forget(key)
	return true
}

func (a *nodeAgent) sync(ctx context.Context, key string) error {
	namespace, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	pod, err := a.pods.Pods(namespace).Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if pod.DeletionTimestamp != nil {
		// A kubelet confirms a graceful deletion once the containers are gone: there are none.
		err := a.client.CoreV1().Pods(namespace).Delete(ctx, name, metav1.DeleteOptions{
			GracePeriodSeconds: new(int64),
			Preconditions:      &metav1.Preconditions{UID: &pod.UID},
		})
		if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
			return nil
		}
		return err
	}
	if pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
		return nil
	}
	status := a.desiredStatus(pod)
	if statusKey(&status) == statusKey(&pod.Status) {
		return nil
	}
	updated := pod.DeepCopy()
	updated.Status = status
	_, err = a.client.CoreV1().Pods(namespace).UpdateStatus(ctx, updated, metav1.UpdateOptions{})
	if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
		// Gone, or changed since we read it: the informer brings the new version.
		return nil
	}
	return err
}

// desiredStatus is the status a kubelet would report for pod once its containers have started
// (or, for restartPolicy Never/OnFailure, finished).
func (a *nodeAgent) desiredStatus(pod *corev1.Pod) corev1.PodStatus {
	now := metav1.Now()
	old := pod.Status
	failing := failingContainers(pod)
	finishes := pod.Spec.RestartPolicy == corev1.RestartPolicyNever || pod.Spec.RestartPolicy == corev1.RestartPolicyOnFailure

	status := corev1.PodStatus{
		HostIP:    "127.0.0.1",
		HostIPs:   []corev1.HostIP{{IP: "127.0.0.1"}},
		PodIP:     old.PodIP,
		PodIPs:    old.PodIPs,
		StartTime: old.StartTime,
		QOSClass:  old.QOSClass,
	}
	if status.StartTime == nil {
		status.StartTime = &now
	}
	if status.PodIP == "" {
		if pod.Spec.HostNetwork {
			status.PodIP = "127.0.0.1"
		} else {
			n := a.nextIP.Add(1)
			status.PodIP = fmt.Sprintf("10.244.%d.%d", (n/250)%250, n%250+2)
		}
		status.PodIPs = []corev1.PodIP{{IP: status.PodIP}}
	}

	// Init containers run to completion in order; a failing one stops the pod there.
	initFailed := ""
	for _, c := range pod.Spec.InitContainers {
		restartable := c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways
		cs := containerStatus(pod, c, old.InitContainerStatuses, now)
		switch {
		case initFailed != "":
			cs.State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "PodInitializing"}}
		case failing(c.Name):
			crashLoop(pod, &cs, now)
			initFailed = c.Name
		case restartable: // a sidecar: it keeps running
			running(&cs, now)
		default:
			cs.Started = ptr(false)
			cs.State = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
				ExitCode: 0, Reason: "Completed", StartedAt: startedAt(cs), FinishedAt: startedAt(cs), ContainerID: cs.ContainerID,
			}}
		}
		status.InitContainerStatuses = append(status.InitContainerStatuses, cs)
	}

	var unready []string
	allSucceeded := true
	for _, c := range pod.Spec.Containers {
		cs := containerStatus(pod, c, old.ContainerStatuses, now)
		switch {
		case initFailed != "":
			cs.State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "PodInitializing"}}
			unready = append(unready, c.Name)
			allSucceeded = false
		case failing(c.Name) && finishes:
			cs.Started = ptr(false)
			cs.State = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
				ExitCode: 1, Reason: "Error", StartedAt: startedAt(cs), FinishedAt: now, ContainerID: cs.ContainerID,
			}}
			unready = append(unready, c.Name)
			allSucceeded = false
		case failing(c.Name):
			crashLoop(pod, &cs, now)
			unready = append(unready, c.Name)
			allSucceeded = false
		case finishes:
			cs.Started = ptr(false)
			cs.State = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
				ExitCode: 0, Reason: "Completed", StartedAt: startedAt(cs), FinishedAt: now, ContainerID: cs.ContainerID,
			}}
			unready = append(unready, c.Name)
		default:
			running(&cs, now)
		}
		status.ContainerStatuses = append(status.ContainerStatuses, cs)
	}

	initialized := condition(corev1.PodInitialized, corev1.ConditionTrue, "", "")
	if initFailed != "" {
		initialized = condition(corev1.PodInitialized, corev1.ConditionFalse, "ContainersNotInitialized",
			fmt.Sprintf("containers with incomplete status: [%s]", initFailed))
	}
	ready := condition(corev1.PodReady, corev1.ConditionTrue, "", "")
	switch {
	case finishes && initFailed == "" && len(unready) == len(pod.Spec.Containers):
		ready = condition(corev1.PodReady, corev1.ConditionFalse, "PodCompleted", "")
	case len(unready) > 0:
		ready = condition(corev1.PodReady, corev1.ConditionFalse, "ContainersNotReady",
			fmt.Sprintf("containers with unready status: [%s]", strings.Join(unready, " ")))
	}
	containersReady := ready
	containersReady.Type = corev1.ContainersReady
	status.Conditions = []corev1.PodCondition{
		condition("PodReadyToStartContainers", corev1.ConditionTrue, "", ""),
		initialized,
		ready,
		containersReady,
		condition(corev1.PodScheduled, corev1.ConditionTrue, "", ""),
	}
	// Keep the transition times of conditions that did not change.
	for i, c := range status.Conditions {
		for _, o := range old.Conditions {
			if o.Type == c.Type && o.Status == c.Status {
				status.Conditions[i].LastTransitionTime = o.LastTransitionTime
			}
		}
		if status.Conditions[i].LastTransitionTime.IsZero() {
			status.Conditions[i].LastTransitionTime = now
		}
	}

	switch {
	case initFailed != "":
		status.Phase = corev1.PodPending
	case finishes && allSucceeded:
		status.Phase = corev1.PodSucceeded
	case finishes && pod.Spec.RestartPolicy == corev1.RestartPolicyNever:
		status.Phase = corev1.PodFailed
	default:
		status.Phase = corev1.PodRunning
	}
	return status
}

func condition(t corev1.PodConditionType, s corev1.ConditionStatus, reason, message string) corev1.PodCondition {
	return corev1.PodCondition{Type: t, Status: s, Reason: reason, Message: message}
}

func failingContainers(pod *corev1.Pod) func(string) bool {
	value, ok := pod.Annotations[failAnnotation]
	if !ok {
		return func(string) bool { return false }
	}
	names := strings.Split(value, ",")
	for i := range names {
		names[i] = strings.TrimSpace(names[i])
	}
	return func(name string) bool { return slices.Contains(names, "*") || slices.Contains(names, name) }
}

// containerStatus starts from the container's previous status (keeping its start time and
// restart count) and fills in what a runtime reports: image, imageID, containerID.
func containerStatus(pod *corev1.Pod, c corev1.Container, old []corev1.ContainerStatus, now metav1.Time) corev1.ContainerStatus {
	cs := corev1.ContainerStatus{Name: c.Name}
	for _, o := range old {
		if o.Name == c.Name {
			cs = *o.DeepCopy()
		}
	}
	if cs.Image != "" && cs.Image != c.Image {
		// A new image (the pod's spec changed): a new container.
		cs = corev1.ContainerStatus{Name: c.Name}
	}
	cs.Image = c.Image
	cs.ImageID = imageID(c.Image)
	cs.ContainerID = "kube-testenv://" + digest(string(pod.UID) + "/" + c.Name)[:32]
	cs.Ready = false
	return cs
}

// running makes cs a started, ready container, running since it started.
func running(cs *corev1.ContainerStatus, now metav1.Time) {
	cs.Ready, cs.Started = true, ptr(true)
	if cs.State.Running == nil {
		cs.State = corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: now}}
	}
}

func startedAt(cs corev1.ContainerStatus) metav1.Time {
	if cs.State.Running != nil {
		return cs.State.Running.StartedAt
	}
	return metav1.Now()
}

// crashLoop makes cs look like a container that exited with an error and is waiting to restart.
func crashLoop(pod *corev1.Pod, cs *corev1.ContainerStatus, now metav1.Time) {
	if cs.State.Waiting == nil || cs.State.Waiting.Reason != "CrashLoopBackOff" {
		cs.RestartCount++
		cs.LastTerminationState = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
			ExitCode: 1, Reason: "Error", StartedAt: now, FinishedAt: now, ContainerID: cs.ContainerID,
		}}
	}
	cs.Ready, cs.Started = false, ptr(false)
	cs.State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{
		Reason:  "CrashLoopBackOff",
		Message: fmt.Sprintf("back-off 10s restarting failed container=%s pod=%s_%s(%s)", cs.Name, pod.Name, pod.Namespace, pod.UID),
	}}
}

// imageID is what a registry-backed runtime reports: the repository at a digest. The stand-in
// pulls nothing, so the digest is derived from the image reference (or is the one it names).
func imageID(image string) string {
	if at := strings.Index(image, "@"); at >= 0 {
		return image
	}
	repo := image
	if slash, colon := strings.LastIndex(image, "/"), strings.LastIndex(image, ":"); colon > slash {
		repo = image[:colon]
	}
	return repo + "@sha256:" + digest(image)
}

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// statusKey is what the stand-in decides about a pod, without timestamps: when it equals the
// current status's key, there is nothing to write.
func statusKey(s *corev1.PodStatus) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s|%s|%s|", s.Phase, s.HostIP, s.PodIP)
	for _, c := range s.Conditions {
		fmt.Fprintf(&b, "%s=%s/%s/%s;", c.Type, c.Status, c.Reason, c.Message)
	}
	for _, list := range [][]corev1.ContainerStatus{s.InitContainerStatuses, s.ContainerStatuses} {
		b.WriteString("|")
		for _, c := range list {
			state := "none"
			switch {
			case c.State.Running != nil:
				state = "running"
			case c.State.Waiting != nil:
				state = "waiting:" + c.State.Waiting.Reason
			case c.State.Terminated != nil:
				state = "terminated:" + c.State.Terminated.Reason + ":" + strconv.Itoa(int(c.State.Terminated.ExitCode))
			}
			fmt.Fprintf(&b, "%s:%s:%s:%v:%d:%s;", c.Name, c.Image, c.ImageID, c.Ready, c.RestartCount, state)
		}
	}
	return b.String()
}

func ptr[T any](v T) *T { return &v }
