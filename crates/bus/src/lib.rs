//! Bus adapters. `LocalBus`: the in-process bus of `ferrochat serve`.
//!
//! Every topic is a bounded channel; a full channel makes the publisher
//! wait, so a slow consumer slows its producers instead of growing memory.
//! Upstream has a single partition in process: one logic consumer then sees
//! every conversation's records in order with no key routing at all.
//! Nothing is persisted, so `commit` has nothing to do: a crash loses only
//! records whose senders were never acked, and they resend.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use ferrochat_domain::routing::GatewayId;
use ferrochat_ports::bus::{
    BusError, Consumer, Downstream, DownstreamRecord, Published, SendRecord, TaskRecord,
};
use ferrochat_ports::Bus;
use tokio::sync::mpsc;

/// Capacity of each topic's channel.
#[derive(Debug, Clone, Copy)]
pub struct LocalBusConfig {
    pub upstream: usize,
    pub downstream: usize,
    pub task: usize,
}

impl Default for LocalBusConfig {
    fn default() -> Self {
        Self {
            upstream: 4096,
            downstream: 8192,
            task: 1024,
        }
    }
}

/// A topic with one consumer: the receiver is handed out once.
struct Topic<T> {
    tx: mpsc::Sender<T>,
    rx: Mutex<Option<mpsc::Receiver<T>>>,
}

impl<T: Send + 'static> Topic<T> {
    fn new(cap: usize) -> Self {
        let (tx, rx) = mpsc::channel(cap.max(1));
        Self {
            tx,
            rx: Mutex::new(Some(rx)),
        }
    }

    fn take(&self, name: &str) -> Result<Box<dyn Consumer<T>>, BusError> {
        let rx = self
            .rx
            .lock()
            .map_err(|_| BusError::Unavailable("lock poisoned".into()))?
            .take()
            .ok_or_else(|| BusError::Unavailable(format!("{name} already has a consumer")))?;
        Ok(Box::new(ChannelConsumer::new(rx)))
    }

    async fn send(&self, record: T) -> Result<(), BusError> {
        self.tx.send(record).await.map_err(|_| BusError::Closed)
    }
}

struct ChannelConsumer<T> {
    rx: mpsc::Receiver<T>,
    returned: u64,
}

impl<T> ChannelConsumer<T> {
    fn new(rx: mpsc::Receiver<T>) -> Self {
        Self { rx, returned: 0 }
    }
}

#[async_trait]
impl<T: Send + 'static> Consumer<T> for ChannelConsumer<T> {
    async fn next(&mut self) -> Option<T> {
        let record = self.rx.recv().await;
        if record.is_some() {
            self.returned += 1;
        }
        record
    }

    fn try_next(&mut self) -> Option<T> {
        let record = self.rx.try_recv().ok()?;
        self.returned += 1;
        Some(record)
    }

    fn position(&self) -> u64 {
        self.returned
    }

    fn waiting(&self) -> Option<u64> {
        u64::try_from(self.rx.len()).ok()
    }

    /// Nothing is persisted, so there is nothing to remember.
    async fn commit_through(&mut self, _position: u64) -> Result<(), BusError> {
        Ok(())
    }
}

/// A consumer whose records are turned into another type as they come.
struct MapConsumer<T, U> {
    inner: ChannelConsumer<T>,
    map: fn(T) -> U,
}

#[async_trait]
impl<T: Send + 'static, U: Send + 'static> Consumer<U> for MapConsumer<T, U> {
    async fn next(&mut self) -> Option<U> {
        self.inner.next().await.map(self.map)
    }

    fn try_next(&mut self) -> Option<U> {
        self.inner.try_next().map(self.map)
    }

    fn position(&self) -> u64 {
        self.inner.position()
    }

    fn waiting(&self) -> Option<u64> {
        self.inner.waiting()
    }

    async fn commit_through(&mut self, position: u64) -> Result<(), BusError> {
        self.inner.commit_through(position).await
    }
}

pub struct LocalBus {
    config: LocalBusConfig,
    upstream: Topic<SendRecord>,
    task: Topic<TaskRecord>,
    /// Created when a gateway starts consuming; publishing to a gateway
    /// nobody consumes is `Unroutable`, never an unbounded pile-up.
    downstream: Mutex<HashMap<GatewayId, mpsc::Sender<Vec<DownstreamRecord>>>>,
}

impl LocalBus {
    pub fn new(config: LocalBusConfig) -> Arc<Self> {
        Arc::new(Self {
            config,
            upstream: Topic::new(config.upstream),
            task: Topic::new(config.task),
            downstream: Mutex::new(HashMap::new()),
        })
    }
}

#[async_trait]
impl Bus for LocalBus {
    /// In process a record is as durable as it gets once it is queued.
    async fn publish_upstream(&self, record: SendRecord) -> Result<Published, BusError> {
        self.upstream.send(record).await?;
        Ok(Published::done())
    }

    async fn publish_downstream(
        &self,
        gateway: &GatewayId,
        items: Vec<DownstreamRecord>,
    ) -> Result<Published, BusError> {
        let tx = self
            .downstream
            .lock()
            .map_err(|_| BusError::Unavailable("lock poisoned".into()))?
            .get(gateway)
            .cloned()
            .ok_or_else(|| BusError::Unroutable(format!("downstream.{}", gateway.as_str())))?;
        tx.send(items).await.map_err(|_| BusError::Closed)?;
        Ok(Published::done())
    }

    async fn publish_task(&self, record: TaskRecord) -> Result<Published, BusError> {
        self.task.send(record).await?;
        Ok(Published::done())
    }

    async fn consume_upstream(&self) -> Result<Box<dyn Consumer<SendRecord>>, BusError> {
        self.upstream.take("upstream")
    }

    async fn consume_downstream(
        &self,
        gateway: &GatewayId,
    ) -> Result<Box<dyn Consumer<Downstream>>, BusError> {
        let (tx, rx) = mpsc::channel(self.config.downstream.max(1));
        let mut map = self
            .downstream
            .lock()
            .map_err(|_| BusError::Unavailable("lock poisoned".into()))?;
        if map.get(gateway).is_some_and(|t| !t.is_closed()) {
            return Err(BusError::Unavailable(format!(
                "downstream.{} already has a consumer",
                gateway.as_str()
            )));
        }
        map.insert(gateway.clone(), tx);
        // Nothing in process is ever lost.
        Ok(Box::new(MapConsumer {
            inner: ChannelConsumer::new(rx),
            map: Downstream::Items,
        }))
    }

    async fn consume_task(&self) -> Result<Box<dyn Consumer<TaskRecord>>, BusError> {
        self.task.take("task")
    }
}
