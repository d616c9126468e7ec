//! Job queues with their dead-letter queues, as the template declares them.

use aws_sdk_sqs::types::QueueAttributeName;
use serde_json::json;

/// Creates `<name>-dlq`, then `name` whose messages move to it once
/// received `max_receive_count` times without being deleted. Returns the
/// queue's URL and the dead-letter queue's URL. Creating an existing queue
/// with the same attributes is a no-op, so bootstrap can run again.
pub async fn create_with_dlq(
    sqs: &aws_sdk_sqs::Client,
    name: &str,
    max_receive_count: u32,
    visibility_timeout_secs: u32,
) -> Result<(String, String), String> {
    let dlq = sqs
        .create_queue()
        .queue_name(format!("{name}-dlq"))
        .send()
        .await
        .map_err(|e| format!("creating {name}-dlq: {e:?}"))?;
    let dlq_url = dlq.queue_url().unwrap_or_default().to_string();
    let dlq_arn = queue_arn(sqs, &dlq_url).await?;
    let policy = json!({
        "deadLetterTargetArn": dlq_arn,
        "maxReceiveCount": max_receive_count.to_string(),
    })
    .to_string();
    let queue = sqs
        .create_queue()
        .queue_name(name)
        .attributes(QueueAttributeName::RedrivePolicy, policy)
        .attributes(
            QueueAttributeName::VisibilityTimeout,
            visibility_timeout_secs.to_string(),
        )
        .send()
        .await
        .map_err(|e| format!("creating {name}: {e:?}"))?;
    Ok((queue.queue_url().unwrap_or_default().to_string(), dlq_url))
}

/// The ARN of the queue at `queue_url`.
pub async fn queue_arn(sqs: &aws_sdk_sqs::Client, queue_url: &str) -> Result<String, String> {
    sqs.get_queue_attributes()
        .queue_url(queue_url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .map_err(|e| format!("reading {queue_url}: {e:?}"))?
        .attributes
        .and_then(|a| a.get(&QueueAttributeName::QueueArn).cloned())
        .ok_or_else(|| format!("{queue_url} has no ARN"))
}
