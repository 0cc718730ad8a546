import type { Logger } from '@tributary/common';
import type { ZkMetadataStore } from '../metadata/zk-metadata-store.ts';
import type { MetadataChange } from '../metadata/types.ts';
import { isZkError, ZkCode, type ZkClient } from '../zookeeper/zk-client.ts';
import { decodeLeaderAndIsr, encodeController, encodeLeaderAndIsr, ZkPaths, type LeaderAndIsr } from '../zookeeper/zk-data.ts';
import { decideElection, electLeader, type ElectionDecision, type ElectionType } from './leader-election.ts';
import { KafkaError, type ErrorCodeName } from '../protocol/errors.ts';

export interface ElectionOutcome {
  topic: string;
  partition: number;
  error: ErrorCodeName | null;
  message: string | null;
}

export interface ControllerOptions {
  uncleanLeaderElection: boolean;
  autoLeaderRebalance: boolean;
  leaderImbalanceCheckIntervalMs: number;
}

/**
 * Kafka's controller over ZooKeeper. Every broker runs one; the one that creates the ephemeral
 * /controller node is active, the others watch it and race again when it vanishes. The active
 * controller bumps /controller_epoch and guards every partition-state write with that node's
 * version, so a controller that lost its session cannot overwrite its successor's decisions.
 *
 * Partition state machine: a partition without a state znode is New; the controller writes its
 * first leader and ISR (Online); when no ISR replica is alive it is Offline (leader -1) until one
 * returns. Events are handled one at a time, in order, like Kafka's controller event queue.
 */
export class KafkaController {
  private active = false;
  private epochZkVersion = -1;
  private epoch = 0;
  private queue: Promise<void> = Promise.resolve();
  private rebalanceTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private knownLive = new Set<number>();

  constructor(
    private readonly zk: ZkClient,
    private readonly store: ZkMetadataStore,
    private readonly brokerId: number,
    private readonly options: ControllerOptions,
    private readonly log: Logger,
  ) {}

  get isActive(): boolean {
    return this.active;
  }

  get controllerEpoch(): number {
    return this.epoch;
  }

  start(): void {
    this.store.onChange((change) => this.onMetadataChange(change));
    this.enqueue('elect', () => this.elect());
  }

  stop(): void {
    this.stopped = true;
    if (this.rebalanceTimer) clearInterval(this.rebalanceTimer);
    this.active = false;
  }

  /** Serializes controller work; one failed event is logged and the queue goes on. */
  private enqueue(what: string, work: () => Promise<void>): Promise<void> {
    const run = this.queue.then(async () => {
      if (this.stopped) return;
      try {
        await work();
      } catch (error) {
        this.log.error({ err: error, event: what }, 'controller event failed');
      }
    });
    this.queue = run;
    return run;
  }

  private onMetadataChange(change: MetadataChange): void {
    if (change.type === 'controller-changed') {
      if (change.controllerId === -1) this.enqueue('elect', () => this.elect());
      else if (change.controllerId !== this.brokerId && this.active) {
        this.log.warn({ controllerId: change.controllerId }, 'another broker became controller; resigning');
        this.resign();
      }
      return;
    }
    if (!this.active) return;
    if (change.type === 'brokers-changed') this.enqueue('broker change', () => this.onBrokerChange());
    else if (change.type === 'topic-created' || change.type === 'partitions-added') this.enqueue('new partitions', () => this.initNewPartitions(change.topic.name));
    else if (change.type === 'partition-state-changed') this.enqueue('reassignment check', () => this.progressReassignments(change.topic.name));
  }

  private async elect(): Promise<void> {
    if (this.active) return;
    try {
      await this.zk.create(ZkPaths.controller, encodeController(this.brokerId), 'ephemeral');
    } catch (error) {
      if (isZkError(error, ZkCode.NODE_EXISTS)) return;
      throw error;
    }
    await this.bumpEpoch();
    this.active = true;
    this.log.info({ brokerId: this.brokerId, controllerEpoch: this.epoch }, 'became the active controller');
    await this.onControllerFailover();
  }

  private async bumpEpoch(): Promise<void> {
    const written = (await this.zk.update(ZkPaths.controllerEpoch, (node) => Buffer.from(String(node ? Number(node.data.toString()) + 1 : 1))))!;
    this.epoch = Number(written.data.toString());
    this.epochZkVersion = written.version;
  }

  private resign(): void {
    this.active = false;
    if (this.rebalanceTimer) clearInterval(this.rebalanceTimer);
    this.rebalanceTimer = null;
  }

  /** A new controller reads the whole cluster: new partitions, pending deletions, leaderless partitions. */
  private async onControllerFailover(): Promise<void> {
    this.knownLive = new Set(this.store.brokers().map((broker) => broker.brokerId));
    await this.watchDeletions();
    await this.watchReassignRequests();
    for (const topic of this.store.topics()) await this.initNewPartitions(topic.name);
    await this.electOffline(this.knownLive, null);
    for (const topic of this.store.topics()) await this.progressReassignments(topic.name);
    if (this.options.autoLeaderRebalance) {
      this.rebalanceTimer = setInterval(() => this.enqueue('preferred leader election', () => this.preferredLeaderElection()), this.options.leaderImbalanceCheckIntervalMs);
      this.rebalanceTimer.unref();
    }
  }

  private async watchDeletions(): Promise<void> {
    const names = await this.zk.children(ZkPaths.deleteTopics, () => this.enqueue('topic deletion', () => this.watchDeletions()));
    if (!this.active) return;
    for (const name of names) await this.deleteTopic(name);
  }

  /**
   * Kafka's older way to ask for a reassignment: a JSON plan written to /admin/reassign_partitions.
   * The controller turns it into the same adding/removing replicas AlterPartitionReassignments
   * writes, then removes the node, as Kafka 2.4+ does.
   */
  private async watchReassignRequests(): Promise<void> {
    const node = await this.zk.getWatched(ZkPaths.reassignPartitions, () => this.enqueue('reassignment request', () => this.watchReassignRequests()));
    if (!node || !this.active) return;
    try {
      const plan = JSON.parse(node.data.toString()) as { partitions: Array<{ topic: string; partition: number; replicas: number[] }> };
      await this.store.reassignPartitions(plan.partitions.map(({ topic, partition, replicas }) => ({ topic, partition, replicas })));
    } catch (error) {
      this.log.error({ err: error }, `ignoring ${ZkPaths.reassignPartitions}: not a valid reassignment plan`);
    }
    await this.zk.remove(ZkPaths.reassignPartitions);
  }

  /** Topic deletion: remove the assignment and states; every broker deletes its replicas when the topic vanishes. */
  private async deleteTopic(name: string): Promise<void> {
    this.log.info({ topic: name }, 'deleting topic');
    await this.zk.removeRecursive(ZkPaths.topic(name));
    await this.zk.remove(ZkPaths.topicConfig(name));
    await this.zk.remove(ZkPaths.deleteTopic(name));
  }

  /** New -> Online: the first live replica in assignment order leads, the live replicas form the ISR. */
  private async initNewPartitions(topicName: string): Promise<void> {
    const topic = this.store.topic(topicName);
    if (!topic) return;
    const live = new Set(this.store.brokers().map((broker) => broker.brokerId));
    for (const partition of topic.partitions) {
      if (this.store.partitionState(topicName, partition.partition)) continue;
      const isr = partition.replicas.filter((id) => live.has(id));
      const state: LeaderAndIsr = { leader: isr[0] ?? -1, leaderEpoch: 0, isr: isr.length > 0 ? isr : partition.replicas, controllerEpoch: this.epoch };
      const path = ZkPaths.partitionState(topicName, partition.partition);
      try {
        await this.zk.mkdirp(ZkPaths.partitions(topicName) + `/${partition.partition}`);
        await this.zk.create(path, encodeLeaderAndIsr(state));
        this.store.applyState(topicName, partition.partition, state, 0);
      } catch (error) {
        if (!isZkError(error, ZkCode.NODE_EXISTS)) throw error;
      }
    }
  }

  private async onBrokerChange(): Promise<void> {
    const live = new Set(this.store.brokers().map((broker) => broker.brokerId));
    const dead = [...this.knownLive].filter((id) => !live.has(id));
    const joined = [...live].filter((id) => !this.knownLive.has(id));
    this.knownLive = live;
    if (dead.length > 0) this.log.warn({ dead }, 'brokers failed; electing new leaders for their partitions');
    if (joined.length > 0) this.log.info({ joined }, 'brokers joined');
    await this.electOffline(live, new Set(dead));
  }

  /**
   * Moves leadership off dead brokers and drops dead followers from ISRs; brings offline
   * partitions back when an ISR replica returns.
   */
  private async electOffline(live: Set<number>, dead: Set<number> | null): Promise<void> {
    for (const topic of this.store.topics()) {
      for (const partition of topic.partitions) {
        const unclean = this.uncleanFor(topic.configs);
        const decide = (state: LeaderAndIsr) => {
          if (state.leader === -1 || !live.has(state.leader)) {
            const result = electLeader({ replicas: partition.replicas, leader: state.leader, isr: state.isr }, live, { unclean });
            if (result.leader === -1 && state.leader === -1) return null;
            return { ...state, leader: result.leader, isr: result.isr, leaderEpoch: state.leaderEpoch + 1 };
          }
          if (dead && state.isr.some((id) => dead.has(id))) return { ...state, isr: state.isr.filter((id) => !dead.has(id)) };
          return null;
        };
        // The cached state spares a ZooKeeper read for partitions with nothing to do.
        const cached = this.store.partitionState(topic.name, partition.partition)?.state;
        if (!cached || !decide(cached)) continue;
        const written = await this.updateState(topic.name, partition.partition, decide);
        if (written?.leader === -1) this.log.error({ topic: topic.name, partition: partition.partition, isr: written.isr }, 'no live in-sync replica: partition offline');
      }
    }
  }

  private uncleanFor(configs: Record<string, string>): boolean {
    const value = configs['unclean.leader.election.enable'];
    return value === undefined ? this.options.uncleanLeaderElection : value === 'true';
  }

  /** auto.leader.rebalance.enable: preferred leaders take back their partitions. */
  private async preferredLeaderElection(): Promise<void> {
    if (!this.active) return;
    const live = new Set(this.store.brokers().map((broker) => broker.brokerId));
    for (const topic of this.store.topics()) {
      for (const partition of topic.partitions) {
        if ((partition.addingReplicas?.length ?? 0) > 0) continue;
        await this.electPartition(topic.name, partition.partition, partition.replicas, 'preferred', live);
      }
    }
  }

  /**
   * ElectLeaders: runs the requested election for each partition (every partition when null) and
   * reports per partition, as Kafka's controller does. Only the active controller decides.
   */
  async electLeaders(type: ElectionType, requested: Array<{ topic: string; partition: number }> | null): Promise<ElectionOutcome[]> {
    const outcomes: ElectionOutcome[] = [];
    await this.enqueue('leader election', async () => {
      const live = new Set(this.store.brokers().map((broker) => broker.brokerId));
      const targets = requested ?? this.store.topics().flatMap((topic) => topic.partitions.map((p) => ({ topic: topic.name, partition: p.partition })));
      for (const { topic, partition } of targets) {
        const replicas = this.store.topic(topic)?.partitions.find((p) => p.partition === partition)?.replicas;
        if (!replicas || !this.store.partitionState(topic, partition)) {
          outcomes.push({ topic, partition, error: 'UNKNOWN_TOPIC_OR_PARTITION', message: `${topic}-${partition} does not exist` });
          continue;
        }
        const refusal = await this.electPartition(topic, partition, replicas, type, live);
        outcomes.push({ topic, partition, error: refusal?.refused ?? null, message: refusal?.reason ?? null });
      }
    });
    if (!this.active) throw new KafkaError('NOT_CONTROLLER', 'this broker stopped being the controller; ask the new one');
    return outcomes;
  }

  /** One election, decided on the cached state first (no ZooKeeper read when nothing is to do), then on the stored one. */
  private async electPartition(topic: string, partition: number, replicas: number[], type: ElectionType, live: Set<number>): Promise<Extract<ElectionDecision, { refused: unknown }> | null> {
    const decide = (state: LeaderAndIsr) => decideElection(type, { replicas, leader: state.leader, isr: state.isr }, live);
    const cached = decide(this.store.partitionState(topic, partition)!.state);
    if (!('move' in cached)) return cached;
    let refusal: Extract<ElectionDecision, { refused: unknown }> | null = null;
    await this.updateState(topic, partition, (state) => {
      const decision = decide(state);
      if (!('move' in decision)) {
        refusal = decision;
        return null;
      }
      this.log.info({ topic, partition, from: state.leader, to: decision.move.leader, type }, 'leader election');
      return { ...state, leader: decision.move.leader, isr: decision.move.isr, leaderEpoch: state.leaderEpoch + 1 };
    });
    return refusal;
  }

  /**
   * Controlled shutdown: moves leadership off a broker that is about to stop and takes it out of
   * every ISR, so clients switch leaders before its connections close. Returns what it still leads.
   */
  async controlledShutdown(brokerId: number): Promise<Array<{ topic: string; partition: number }>> {
    const remaining: Array<{ topic: string; partition: number }> = [];
    await this.enqueue('controlled shutdown', async () => {
      const live = new Set(this.store.brokers().map((broker) => broker.brokerId));
      live.delete(brokerId);
      for (const topic of this.store.topics()) {
        for (const partition of topic.partitions) {
          if (!this.store.partitionState(topic.name, partition.partition) || !partition.replicas.includes(brokerId)) continue;
          await this.updateState(topic.name, partition.partition, (state) => {
            if (state.leader === brokerId) {
              const result = electLeader({ replicas: partition.replicas, leader: state.leader, isr: state.isr }, live, { unclean: false, exclude: brokerId });
              if (result.leader === -1) {
                remaining.push({ topic: topic.name, partition: partition.partition });
                return null;
              }
              return { ...state, leader: result.leader, isr: result.isr, leaderEpoch: state.leaderEpoch + 1 };
            }
            if (state.isr.includes(brokerId) && state.isr.length > 1) return { ...state, isr: state.isr.filter((id) => id !== brokerId) };
            return null;
          });
        }
      }
    });
    return remaining;
  }

  /**
   * Reassignment: once every target replica is in the ISR, leadership moves into the target set
   * if needed, the ISR and assignment shrink to the target, and the removed replicas' brokers
   * delete their copies when they see they are no longer replicas.
   */
  private async progressReassignments(topicName: string): Promise<void> {
    if (!this.active) return;
    const assignment = this.store.assignment(topicName);
    if (!assignment || (assignment.addingReplicas.size === 0 && assignment.removingReplicas.size === 0)) return;
    const live = new Set(this.store.brokers().map((broker) => broker.brokerId));
    const completed = new Map<number, number[]>();
    for (const partition of new Set([...assignment.addingReplicas.keys(), ...assignment.removingReplicas.keys()])) {
      const stored = this.store.partitionState(topicName, partition);
      if (!stored) continue;
      const removed = assignment.removingReplicas.get(partition) ?? [];
      const target = assignment.partitions.get(partition)!.filter((id) => !removed.includes(id));
      if (!target.every((id) => stored.state.isr.includes(id))) continue;
      await this.updateState(topicName, partition, (state) => {
        const isr = state.isr.filter((id) => target.includes(id));
        if (target.includes(state.leader)) return { ...state, isr };
        const leader = target.find((id) => live.has(id) && isr.includes(id)) ?? -1;
        return { ...state, leader, isr, leaderEpoch: state.leaderEpoch + 1 };
      });
      completed.set(partition, target);
      this.log.info({ topic: topicName, partition, replicas: target }, 'reassignment completed');
    }
    if (completed.size === 0) return;
    await this.store.updateAssignment(topicName, (current) => {
      const partitions = new Map(current.partitions);
      const adding = new Map(current.addingReplicas);
      const removing = new Map(current.removingReplicas);
      for (const [partition, target] of completed) {
        partitions.set(partition, target);
        adding.delete(partition);
        removing.delete(partition);
      }
      return { ...current, partitions, addingReplicas: adding, removingReplicas: removing };
    });
  }

  /**
   * A partition-state change fenced by the controller epoch. `decide` sees the state as stored in
   * ZooKeeper now (a leader may have changed the ISR since the cache was read) and returns the new
   * state, or null when nothing is left to do; on a version race it runs again on the fresh state.
   */
  private async updateState(topic: string, partition: number, decide: (current: LeaderAndIsr) => Omit<LeaderAndIsr, 'controllerEpoch'> | null): Promise<LeaderAndIsr | null> {
    const path = ZkPaths.partitionState(topic, partition);
    for (let attempt = 0; attempt < 10; attempt++) {
      const node = await this.zk.get(path);
      if (!node) return null;
      const next = decide(decodeLeaderAndIsr(node.data));
      if (!next) return null;
      const state: LeaderAndIsr = { leader: next.leader, leaderEpoch: next.leaderEpoch, isr: next.isr, controllerEpoch: this.epoch };
      try {
        await this.zk.setIfVersion(ZkPaths.controllerEpoch, this.epochZkVersion, path, encodeLeaderAndIsr(state), node.version);
        this.store.applyState(topic, partition, state, node.version + 1);
        this.log.info({ topic, partition, leader: state.leader, leaderEpoch: state.leaderEpoch, isr: state.isr }, 'partition state changed');
        return state;
      } catch (error) {
        const fence = await this.zk.get(ZkPaths.controllerEpoch);
        if (!fence || fence.version !== this.epochZkVersion) {
          this.log.warn('controller epoch moved on: another controller is active; resigning');
          this.resign();
          return null;
        }
      }
    }
    throw new Error(`could not update the state of ${topic}-${partition}: it kept changing`);
  }
}
