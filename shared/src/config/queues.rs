//! A job queue's section: its URL, in the variable its job type names
//! (`Job::QUEUE_URL_VAR`). Optional until a function sends that job.

use std::marker::PhantomData;

use super::Env;
use crate::jobs::Job;

#[derive(Debug)]
pub struct QueueConfig<T> {
    pub url: Option<String>,
    job: PhantomData<fn(T)>,
}

impl<T> Clone for QueueConfig<T> {
    fn clone(&self) -> Self {
        Self::at(self.url.clone())
    }
}

impl<T> QueueConfig<T> {
    pub fn at(url: Option<String>) -> Self {
        Self {
            url,
            job: PhantomData,
        }
    }
}

impl<T: Job> QueueConfig<T> {
    pub fn read(env: &mut Env) -> Self {
        Self::at(env.optional(T::QUEUE_URL_VAR))
    }

    /// The section of a function that sends these jobs.
    pub fn require(env: &mut Env) -> Self {
        Self::at(env.required(T::QUEUE_URL_VAR, "the queue its jobs go to"))
    }
}
