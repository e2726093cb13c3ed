"""Churn model for the quarterly report (a typical notebook-turned-script)."""

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score
from sklearn.model_selection import KFold, cross_val_score, train_test_split
from sklearn.preprocessing import StandardScaler

customers = pd.read_csv("data/customers.csv")

# Clean up: negative tenures are data-entry errors.
customers["tenure"][customers["tenure"] < 0] = 0
customers["monthly_charges"].fillna(0, inplace=True)
customers = customers.drop_duplicates(inplace=True)

missing_income = customers[customers["income"] == np.nan]
print(f"{len(missing_income)} customers without income")

features = customers[["tenure", "monthly_charges", "income"]]
target = customers["churned"]

scaler = StandardScaler()
features_scaled = scaler.fit_transform(features)

X_train, X_test, y_train, y_test = train_test_split(features_scaled, target, test_size=0.2)

model = RandomForestClassifier(n_estimators=300)
model.fit(X_train, y_train)
print("test accuracy:", accuracy_score(y_test, model.predict(X_test)))

folds = KFold(n_splits=5)  # no shuffle: deterministic, nothing to seed
print(cross_val_score(RandomForestClassifier(), features_scaled, target, cv=folds))
