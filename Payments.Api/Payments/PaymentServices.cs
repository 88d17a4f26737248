using Microsoft.Extensions.Options;
using Payments.Api.Billing;
using Payments.Api.Data;
using Payments.Api.Invoicing;

namespace Payments.Api.Payments;

/// <summary>The services <c>POST /payments</c> needs, bound as one parameter with <c>[AsParameters]</c>.</summary>
public sealed record PaymentServices(
    PaymentsDbContext Db,
    BillingClient Billing,
    InvoiceDelivery Delivery,
    TimeProvider TimeProvider,
    IOptions<InvoiceDeliveryOptions> DeliveryOptions);
