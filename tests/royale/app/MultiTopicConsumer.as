package
{
import mx.messaging.AbstractConsumer;
import mx.messaging.messages.CommandMessage;

/**
 * Royale 0.9.12 ships no mx.messaging.MultiTopicConsumer: this is the
 * Flex SDK's wire behaviour of one, on Royale's AbstractConsumer. Its
 * subscribe is a MULTI_SUBSCRIBE command whose DSAddSub header lists
 * `subtopic + "_;_" + selector` for each subscription.
 */
public class MultiTopicConsumer extends AbstractConsumer
{
    private var entries:Array = [];

    public function addSubscription(subtopic:String, selector:String = null):void
    {
        entries.push(subtopic + CommandMessage.SUBTOPIC_SEPARATOR + (selector == null ? "" : selector));
    }

    override protected function buildSubscribeMessage():CommandMessage
    {
        var msg:CommandMessage = super.buildSubscribeMessage();
        msg.operation = CommandMessage.MULTI_SUBSCRIBE_OPERATION;
        msg.headers[CommandMessage.ADD_SUBSCRIPTIONS] = entries.concat();
        return msg;
    }
}
}
