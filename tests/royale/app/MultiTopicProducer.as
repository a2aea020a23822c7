package
{
import mx.messaging.Producer;
import mx.messaging.messages.AsyncMessage;
import mx.messaging.messages.IMessage;

/**
 * Royale 0.9.12 ships no mx.messaging.MultiTopicProducer: as the Flex
 * SDK's, it sends each message with the DSSubtopic header holding an
 * Array of subtopics.
 */
public class MultiTopicProducer extends Producer
{
    public var subtopics:Array = [];

    override protected function internalSend(message:IMessage, waitForClientId:Boolean = true):void
    {
        message.headers[AsyncMessage.SUBTOPIC_HEADER] = subtopics.concat();
        super.internalSend(message, waitForClientId);
    }
}
}
