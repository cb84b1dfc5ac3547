/**
 * The baseline for "add an item to a cart": the CRUD endpoint a user would write instead of eventshop's
 * event-sourced command. The same stack (NestJS + Fastify + TypeORM on the same PostgreSQL), the same
 * request (POST /carts/:id/items with a bearer token and {productId, quantity}), the same kind of
 * validation (a global ValidationPipe with a class-validator DTO, unknown properties rejected) and the
 * same HS256 token check; then one Repository.save() of one row. No event log, no read of the cart.
 *
 * Also the baseline for "GET an order by id": GET /orders/:id reads one `orders` row with
 * Repository.findOneBy() and answers it, 404 unless the token's subject owns it (as eventshop does).
 *
 * Configured by PORT, DATABASE_URL, JWT_SECRET and DATABASE_POOL_SIZE, like the service.
 */
import 'reflect-metadata';
import { createSecretKey } from 'node:crypto';
import {
  Body,
  CanActivate,
  Controller,
  ExecutionContext,
  Get,
  HttpCode,
  Injectable,
  Module,
  NotFoundException,
  Param,
  ParseUUIDPipe,
  Post,
  Req,
  UnauthorizedException,
  ValidationPipe,
} from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { JwtModule, JwtService } from '@nestjs/jwt';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { InjectRepository, TypeOrmModule } from '@nestjs/typeorm';
import { IsInt, IsUUID, Max, Min } from 'class-validator';
import type { FastifyRequest } from 'fastify';
import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn, type Repository } from 'typeorm';

@Entity('cart_items')
class CartItem {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'cart_id' })
  cartId: string;

  @Column('text', { name: 'customer_id' })
  customerId: string;

  @Column('uuid', { name: 'product_id' })
  productId: string;

  @Column('integer')
  quantity: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

interface OrderLine {
  productId: string;
  sku: string;
  name: string;
  quantity: number;
  unitPriceCents: number;
  lineTotalCents: number;
}

/** One row per order, as a CRUD service would keep it: the lines in a jsonb column, no line table to join. */
@Entity('orders')
class Order {
  // Not generated: the bench copies eventshop's orders, ids included, so both answer the same requests.
  @PrimaryColumn('uuid')
  id: string;

  @Column('text', { name: 'customer_id' })
  customerId: string;

  @Column('text')
  status: string;

  @Column('integer', { name: 'total_cents' })
  totalCents: number;

  @Column('jsonb')
  lines: OrderLine[];

  @Column('timestamptz', { name: 'placed_at' })
  placedAt: Date;
}

class AddItemDto {
  @IsUUID()
  productId: string;

  @IsInt()
  @Min(1)
  @Max(1000)
  quantity: number;
}

type AuthenticatedRequest = FastifyRequest & { customerId?: string };

@Injectable()
class AuthGuard implements CanActivate {
  constructor(private readonly jwt: JwtService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const match = /^Bearer (.+)$/.exec(request.headers.authorization ?? '');
    if (!match) throw new UnauthorizedException();
    try {
      const claims = await this.jwt.verifyAsync<{ sub: string }>(match[1], { algorithms: ['HS256'] });
      request.customerId = claims.sub;
    } catch {
      throw new UnauthorizedException();
    }
    return true;
  }
}

@Controller('carts')
class CartsController {
  constructor(@InjectRepository(CartItem) private readonly items: Repository<CartItem>) {}

  @Post(':id/items')
  @HttpCode(200)
  async addItem(
    @Param('id', ParseUUIDPipe) cartId: string,
    @Body() body: AddItemDto,
    @Req() request: AuthenticatedRequest,
  ): Promise<{ id: string }> {
    const saved = await this.items.save(this.items.create({ cartId, customerId: request.customerId, productId: body.productId, quantity: body.quantity }));
    return { id: saved.id };
  }
}

@Controller('orders')
class OrdersController {
  constructor(@InjectRepository(Order) private readonly orders: Repository<Order>) {}

  @Get(':id')
  async get(@Param('id', ParseUUIDPipe) id: string, @Req() request: AuthenticatedRequest): Promise<Order> {
    const order = await this.orders.findOneBy({ id });
    // Someone else's order is "not found" too, so that ids cannot be probed (eventshop does the same).
    if (!order || order.customerId !== request.customerId) throw new NotFoundException();
    return order;
  }
}

const env = process.env;
const jwtKey = createSecretKey(Buffer.from(env.JWT_SECRET ?? ''));

@Module({
  imports: [
    TypeOrmModule.forRoot({
      type: 'postgres',
      url: env.DATABASE_URL,
      entities: [CartItem, Order],
      synchronize: true,
      poolSize: Number(env.DATABASE_POOL_SIZE ?? 20),
    }),
    TypeOrmModule.forFeature([CartItem, Order]),
    // The same KeyObject secret as the service (src/http/http.module.ts), so that the comparison is
    // CRUD against event sourcing, not a slow token check against a fast one.
    JwtModule.register({ secretOrKeyProvider: () => jwtKey as unknown as string }),
  ],
  controllers: [CartsController, OrdersController],
  providers: [{ provide: APP_GUARD, useClass: AuthGuard }],
})
class AppModule {}

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter(), { logger: ['error', 'warn'] });
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.enableShutdownHooks();
  await app.listen({ port: Number(env.PORT ?? 3100), host: '127.0.0.1' });
}

void bootstrap();
