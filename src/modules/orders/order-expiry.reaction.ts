import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { AppConfig } from '../../config/app-config.js';
import type { StoredEvent } from '../../event-store/event.js';
import { effectId, ReactionProvider, type Reaction, type ReactionHandlers } from '../../reactions/reaction.js';
import { TimerProvider, type TimerContext, type TimerHandler } from '../../reactions/timer.js';
import { Timers } from '../../reactions/timers.js';
import type { ExpireOrder } from './order.decider.js';
import type { OrderEvent, OrderPlaced } from './order.events.js';
import { ChangeOrderCommand } from './orders.handlers.js';

/** The timer that expires an unpaid order. */
export const ORDER_PAYMENT_TIMEOUT = 'order-payment-timeout';

interface PaymentTimeout {
  readonly orderId: string;
}

/**
 * Unpaid-order expiry, first half: every placed order gets a timer at placedAt +
 * ORDER_PAYMENT_TIMEOUT_MINUTES (none when it is 0). The timer's id comes from the OrderPlaced event's,
 * so handling the event again schedules nothing new.
 */
@ReactionProvider()
@Injectable()
export class OrderExpiryReaction implements Reaction<OrderEvent> {
  readonly name = 'order-expiry';
  readonly handlers: ReactionHandlers<OrderEvent> = {
    OrderPlaced: (event) => this.scheduleExpiry(event),
  };

  constructor(
    private readonly timers: Timers,
    private readonly config: AppConfig,
  ) {}

  private async scheduleExpiry(event: StoredEvent<OrderPlaced>): Promise<void> {
    const minutes = this.config.ORDER_PAYMENT_TIMEOUT_MINUTES;
    if (minutes === 0) return;
    await this.timers.schedule<PaymentTimeout>({
      id: effectId(event, ORDER_PAYMENT_TIMEOUT),
      name: ORDER_PAYMENT_TIMEOUT,
      dueAt: new Date(Date.parse(event.data.placedAt) + minutes * 60_000),
      payload: { orderId: event.data.orderId },
      correlationId: event.metadata.correlationId,
    });
  }
}

/**
 * Second half: when the timer is due, the order is expired through the order's own command path, so its
 * cancellation and the release of its stock are one append, by actor `system`. The decider leaves an
 * order that was paid or cancelled meanwhile as it is (ExpireOrder).
 */
@TimerProvider()
@Injectable()
export class OrderPaymentTimeoutHandler implements TimerHandler<PaymentTimeout> {
  readonly name = ORDER_PAYMENT_TIMEOUT;

  constructor(private readonly commands: CommandBus) {}

  async fire({ orderId }: PaymentTimeout, ctx: TimerContext): Promise<void> {
    const command: ExpireOrder = { type: 'ExpireOrder', orderId, expiredAt: ctx.now.toISOString(), actor: { customerId: ctx.command.actor, isAdmin: true } };
    await this.commands.execute(new ChangeOrderCommand(command, ctx.command));
  }
}
