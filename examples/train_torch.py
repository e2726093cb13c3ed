"""Image classifier training script."""

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


class SmallNet(nn.Module):
    def __init__(self, n_features: int, n_classes: int) -> None:
        super().__init__()
        self.hidden = nn.Linear(n_features, 128)
        self.out = nn.Linear(128, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.relu(self.hidden(x))
        h = F.dropout(h, p=0.3)
        return self.out(h)


def train(epochs: int = 10) -> None:
    data = TensorDataset(torch.randn(512, 20), torch.randint(0, 3, (512,)))
    loader = DataLoader(data, batch_size=32, shuffle=True)
    model = SmallNet(20, 3)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = nn.CrossEntropyLoss()

    for epoch in range(epochs):
        running_loss = 0.0
        for inputs, labels in loader:
            outputs = model(inputs)
            loss = criterion(outputs, labels)
            loss.backward()
            optimizer.step()
            running_loss += loss
        print(f"epoch {epoch}: loss {running_loss / len(loader):.3f}")

    torch.save(model.state_dict(), "model.pt")


def evaluate(path: str) -> None:
    model = SmallNet(20, 3)
    model.load_state_dict(torch.load(path))
    model.eval
    with torch.no_grad():
        print(model(torch.randn(4, 20)).argmax(dim=1))


if __name__ == "__main__":
    train()
    evaluate("model.pt")
