using Payments.Api;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddPaymentsApi();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapPaymentsApi();

app.Run();
